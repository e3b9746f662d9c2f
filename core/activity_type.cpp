// The activity type table.
#include "core/activity_type.hpp"

namespace foresight {

const std::vector<activity_type_entry>& activity_types() {
  // A chat turn is logged for the user's history only: it says nothing about the data asked for.
  static const std::vector<activity_type_entry> table = {
    {activity_type::query, "query", true},
    {activity_type::chat, "chat", false},
    {activity_type::suggestion_click, "suggestion_click", true},
    {activity_type::feedback, "feedback", true},
  };
  return table;
}

std::string_view to_string(activity_type t) {
  for (auto& e : activity_types())
    if (e.type == t)
      return e.name;
  return {};
}

std::optional<activity_type> parse_activity_type(std::string_view name) {
  for (auto& e : activity_types())
    if (e.name == name)
      return e.type;
  return std::nullopt;
}

bool is_learnable_activity_type(std::string_view name) {
  for (auto& e : activity_types())
    if (e.name == name)
      return e.learnable;
  return false;
}

std::string activity_type_names() {
  std::string out;
  for (auto& e : activity_types())
    out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out;
}

} // namespace foresight
