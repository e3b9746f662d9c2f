// The suggestion types: one table gives each its wire name, the description and icon a
// suggestion of the type shows, and whether a user may prefer it (the advanced query kinds).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

enum class suggestion_type {
  complete, metric, dimension, filter, comparison, trend, ranking, aggregation
};

struct suggestion_type_entry {
  suggestion_type type;
  std::string_view name;
  std::string_view description;
  std::string_view icon;
  bool preferable; ///< allowed in preferences' preferred_query_types
};

/// Every suggestion type.
const std::vector<suggestion_type_entry>& suggestion_types();

/// The entry named `name`, or null.
const suggestion_type_entry* find_suggestion_type(std::string_view name);

/// "comparison, trend, ranking and aggregation": the preferable names, for a message.
std::string preferable_suggestion_type_names();

} // namespace foresight
