// Activity types and metadata enrichment.
#include "core/activity.hpp"

#include "core/activity_type.hpp"
#include "core/json_writer.hpp"

namespace foresight {

bool is_activity_type(std::string_view type) {
  return parse_activity_type(type).has_value();
}

bool is_reserved_metadata_key(std::string_view key) {
  return key == "role" || key == "department" || key == "goals" || key == "arm";
}

std::string enrich_metadata(const std::string& metadata_json, const user_profile& user) {
  json_writer w;
  w.begin_object()
    .key("role").value(user.role)
    .key("department").value(user.department)
    .key("goals").raw(user.goals_json);
  auto out = w.take(); // `{...` without the closing brace
  // The client's members follow; `{}` has none.
  if (metadata_json.size() > 2)
    out += "," + metadata_json.substr(1);
  else
    out += "}";
  return out;
}

std::string with_member(const std::string& object_json, std::string_view name, std::int64_t value) {
  std::string member;
  append_json_string(member, name);
  member += ":" + std::to_string(value);
  if (object_json.size() <= 2)
    return "{" + member + "}";
  return object_json.substr(0, object_json.size() - 1) + "," + member + "}";
}

std::string with_member(const std::string& object_json, std::string_view name,
                        std::string_view value) {
  std::string member;
  append_json_string(member, name);
  member += ':';
  append_json_string(member, value);
  if (object_json.size() <= 2)
    return "{" + member + "}";
  return object_json.substr(0, object_json.size() - 1) + "," + member + "}";
}

learned_activity learned_from(const activity_row& r, std::int64_t id, const std::string& created_at,
                              std::string rated_query_text) {
  learned_activity l;
  l.id = id;
  l.user_id = r.user_id;
  l.role = r.role;
  l.activity_type = r.activity_type;
  l.query_text = r.query_text;
  l.response_data_json = r.response_data_json;
  l.suggestion_clicked = r.suggestion_clicked;
  l.feedback_rating = r.feedback_rating;
  l.rated_activity_id = r.rated_activity_id;
  l.connection_id = r.connection_id;
  l.created_at = created_at;
  l.rated_query_text = std::move(rated_query_text);
  l.session_serial = r.session_serial;
  return l;
}

} // namespace foresight
