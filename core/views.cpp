// Response shapes, written once so that routes and storage agree on them.
#include "core/views.hpp"

namespace foresight {

std::string error_json(const api_error& err) {
  json_writer w;
  w.begin_object().key("error").begin_object();
  w.key("code").value(to_string(err.code)).key("message").value(err.message);
  if (!err.field.empty())
    w.key("field").value(err.field);
  w.end_object().end_object();
  return w.take();
}

void write_user(json_writer& w, const user_profile& u) {
  w.begin_object()
    .key("id").value(u.id)
    .key("username").value(u.username)
    .key("role").value(u.role)
    .key("department").value(u.department)
    .key("goals").raw(u.goals_json)
    .key("is_admin").value(u.is_admin)
    .key("created_at").value(u.created_at)
    .end_object();
}

namespace {

void write_metrics(json_writer& w, const connection_catalog& c) {
  w.begin_array();
  for (auto& m : c.metrics)
    w.begin_object()
      .key("name").value(m.name)
      .key("display_name").value(m.display_name)
      .key("description").value(m.description)
      .key("aggregation").value(m.aggregation)
      .end_object();
  w.end_array();
}

void write_dimensions(json_writer& w, const connection_catalog& c) {
  w.begin_array();
  for (auto& d : c.dimensions)
    w.begin_object()
      .key("name").value(d.name)
      .key("display_name").value(d.display_name)
      .key("type").value(d.type)
      .end_object();
  w.end_array();
}

void write_entities(json_writer& w, const connection_catalog& c) {
  w.begin_array();
  for (auto& e : c.entities)
    w.begin_object().key("name").value(e.name).key("display_name").value(e.display_name).end_object();
  w.end_array();
}

template <class F>
std::string render(F f, const connection_catalog& c) {
  json_writer w;
  f(w, c);
  return w.take();
}

} // namespace

void write_catalog(json_writer& w, const connection_catalog& c) {
  w.begin_object().key("connection_id").value(c.id).key("name").value(c.name);
  w.key("metrics");
  write_metrics(w, c);
  w.key("dimensions");
  write_dimensions(w, c);
  w.key("entities");
  write_entities(w, c);
  w.key("version").value(static_cast<std::int64_t>(c.version));
  w.key("created_at").value(c.created_at).key("updated_at").value(c.updated_at);
  w.end_object();
}

std::string metrics_json(const connection_catalog& c) { return render(write_metrics, c); }
std::string dimensions_json(const connection_catalog& c) { return render(write_dimensions, c); }
std::string entities_json(const connection_catalog& c) { return render(write_entities, c); }

} // namespace foresight
