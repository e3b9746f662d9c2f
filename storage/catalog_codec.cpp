// The connections table's JSONB columns, both ways.
#include "storage/catalog_codec.hpp"

#include <simdjson.h>

#include "core/json_body.hpp"
#include "core/json_writer.hpp"

namespace foresight {

namespace dom = simdjson::dom;

catalog_json_columns encode_catalog_columns(const connection_catalog& c) {
  catalog_json_columns out;
  json_writer m;
  m.begin_array();
  for (auto& x : c.metrics)
    m.begin_object()
      .key("name").value(x.name)
      .key("display_name").value(x.display_name)
      .key("description").value(x.description)
      .key("aggregation").value(x.aggregation)
      .end_object();
  m.end_array();
  out.metrics = m.take();
  json_writer d;
  d.begin_array();
  for (auto& x : c.dimensions)
    d.begin_object()
      .key("name").value(x.name)
      .key("display_name").value(x.display_name)
      .key("type").value(x.type)
      .end_object();
  d.end_array();
  out.dimensions = d.take();
  json_writer e;
  e.begin_array();
  for (auto& x : c.entities)
    e.begin_object().key("name").value(x.name).key("display_name").value(x.display_name).end_object();
  e.end_array();
  out.entities = e.take();
  return out;
}

namespace {

/// Calls `each(object, name)` for every element of the array `json`; false if it is not an array
/// of objects with a string "name".
template <class F>
bool each_named_object(std::string_view json, F each) {
  // The DOM lives in the parser: copy what is needed before parsing the next column.
  dom::array arr;
  if (thread_json_parser().parse(json.data(), json.size()).get(arr))
    return false;
  for (auto item : arr) {
    dom::object o;
    std::string_view name;
    if (item.get(o) || o["name"].get(name))
      return false;
    each(o, std::string(name));
  }
  return true;
}

std::string text(dom::object& o, const char* key, const std::string& otherwise = {}) {
  std::string_view sv;
  return o[key].get(sv) ? otherwise : std::string(sv);
}

} // namespace

bool decode_catalog_columns(const catalog_json_columns& in, connection_catalog& out) {
  out.metrics.clear();
  out.dimensions.clear();
  out.entities.clear();
  return each_named_object(in.metrics,
                           [&](dom::object& o, std::string name) {
                             catalog_metric m;
                             m.display_name = text(o, "display_name", name);
                             m.description = text(o, "description");
                             m.aggregation = text(o, "aggregation");
                             m.name = std::move(name);
                             out.metrics.push_back(std::move(m));
                           }) &&
         each_named_object(in.dimensions,
                           [&](dom::object& o, std::string name) {
                             catalog_dimension d;
                             d.display_name = text(o, "display_name", name);
                             d.type = text(o, "type");
                             d.name = std::move(name);
                             out.dimensions.push_back(std::move(d));
                           }) &&
         each_named_object(in.entities, [&](dom::object& o, std::string name) {
           catalog_entity e;
           e.display_name = text(o, "display_name", name);
           e.name = std::move(name);
           out.entities.push_back(std::move(e));
         });
}

} // namespace foresight
