// The activity types: one table gives each its wire name (the API's and the database's) and
// whether the pattern learners see it, so validation, storage and the learners agree.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

enum class activity_type { query, chat, suggestion_click, feedback };

struct activity_type_entry {
  activity_type type;
  std::string_view name;
  bool learnable; ///< the learners (and the session's question history) see it
};

/// Every activity type, in the order the API documents them.
const std::vector<activity_type_entry>& activity_types();

std::string_view to_string(activity_type t);
std::optional<activity_type> parse_activity_type(std::string_view name);

/// Whether activities of this type reach the learners; false for an unknown name.
bool is_learnable_activity_type(std::string_view name);

/// "query, chat, suggestion_click, feedback": the names for a message.
std::string activity_type_names();

} // namespace foresight
