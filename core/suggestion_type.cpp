// The suggestion type table.
#include "core/suggestion_type.hpp"

namespace foresight {

const std::vector<suggestion_type_entry>& suggestion_types() {
  static const std::vector<suggestion_type_entry> table = {
    {suggestion_type::complete, "complete", "Completes your question", "💬", false},
    {suggestion_type::metric, "metric", "A key metric", "📊", false},
    {suggestion_type::dimension, "dimension", "A breakdown", "🏷️", false},
    {suggestion_type::filter, "filter", "Narrowed to a period", "📆", false},
    {suggestion_type::comparison, "comparison", "Side-by-side comparison", "⚖️", true},
    {suggestion_type::trend, "trend", "How it changes over time", "📈", true},
    {suggestion_type::ranking, "ranking", "Highest values first", "🏆", true},
    {suggestion_type::aggregation, "aggregation", "A summary figure", "🔢", true},
  };
  return table;
}

const suggestion_type_entry* find_suggestion_type(std::string_view name) {
  for (auto& e : suggestion_types())
    if (e.name == name)
      return &e;
  return nullptr;
}

std::string preferable_suggestion_type_names() {
  std::vector<std::string_view> names;
  for (auto& e : suggestion_types())
    if (e.preferable)
      names.push_back(e.name);
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + std::string(names[i]);
  return out;
}

} // namespace foresight
