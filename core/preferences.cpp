// Preferences parsing with simdjson's DOM API.
#include "core/preferences.hpp"

#include <algorithm>

#include "core/json_body.hpp"
#include "core/payloads.hpp"
#include "core/suggestion_type.hpp"
#include "core/text_match.hpp"

namespace foresight {

namespace dom = simdjson::dom;

namespace {

constexpr std::size_t max_list_items = 100;
constexpr std::size_t max_item_chars = 100;

api_error invalid(const std::string& field, std::string message) {
  return make_error(error_code::validation_failed, std::move(message), field);
}

api_error read_list(dom::element e, const std::string& field, std::vector<std::string>& out) {
  dom::array arr;
  if (e.get(arr))
    return invalid(field, field + " must be an array of strings");
  if (arr.size() > max_list_items)
    return invalid(field, field + " has more than " + std::to_string(max_list_items) + " entries");
  out.clear();
  std::size_t i = 0;
  for (auto item : arr) {
    auto item_field = field + "[" + std::to_string(i++) + "]";
    std::string_view sv;
    if (item.get(sv))
      return invalid(item_field, item_field + " must be a string");
    if (sv.empty())
      return invalid(item_field, item_field + " must not be empty");
    if (sv.size() > max_item_chars)
      return invalid(item_field, item_field + " is longer than " +
                                   std::to_string(max_item_chars) + " characters");
    if (!is_storable_text(sv))
      return invalid(item_field, item_field + " contains a NUL character");
    // Duplicates carry no meaning; keep the first.
    if (std::find(out.begin(), out.end(), sv) == out.end())
      out.emplace_back(sv);
  }
  return {};
}

} // namespace

bool is_preferable_query_type(std::string_view type) {
  auto* t = find_suggestion_type(type);
  return t && t->preferable;
}

api_error parse_preferences_update(std::string_view body, preferences_update& out) {
  dom::object obj;
  if (auto err = parse_json_object(thread_json_parser(), body, obj))
    return err;
  for (auto [k, v] : obj) {
    std::string key(k);
    if (key == "preferred_query_types") {
      if (auto e = read_list(v, key, out.preferred_query_types))
        return e;
      for (std::size_t i = 0; i < out.preferred_query_types.size(); ++i)
        if (!is_preferable_query_type(out.preferred_query_types[i]))
          return invalid(key + "[" + std::to_string(i) + "]",
                         "preferred_query_types may contain only " +
                           preferable_suggestion_type_names() + ", not \"" +
                           out.preferred_query_types[i] + "\"");
      out.has_query_types = true;
    } else if (key == "excluded_metrics") {
      if (auto e = read_list(v, key, out.excluded_metrics))
        return e;
      out.has_excluded = true;
    } else if (key == "preferred_metrics") {
      if (auto e = read_list(v, key, out.preferred_metrics))
        return e;
      out.has_preferred_metrics = true;
    } else if (key == "preferred_dimensions") {
      if (auto e = read_list(v, key, out.preferred_dimensions))
        return e;
      out.has_preferred_dimensions = true;
    } else if (key == "show_advanced_queries") {
      if (v.get(out.show_advanced_queries))
        return invalid(key, "show_advanced_queries must be a boolean");
      out.has_advanced = true;
    } else if (key == "max_suggestions") {
      std::int64_t n = 0;
      if (auto e = read_int_in_range(v, key, 1, max_suggestion_count, n))
        return e;
      out.max_suggestions = static_cast<std::int32_t>(n);
      out.has_max = true;
    } else if (key == "user_id" || key == "updated_at" || key == "version") {
      continue; // read-only, echoed back from GET
    } else {
      return invalid(key, "unknown preference \"" + key + "\"");
    }
  }
  return {};
}

bool apply_preferences_update(suggestion_preferences& p, const preferences_update& u) {
  bool changed = false;
  auto set = [&](auto& field, const auto& value, bool present) {
    if (present && !(field == value)) {
      field = value;
      changed = true;
    }
  };
  set(p.preferred_query_types, u.preferred_query_types, u.has_query_types);
  set(p.excluded_metrics, u.excluded_metrics, u.has_excluded);
  set(p.preferred_metrics, u.preferred_metrics, u.has_preferred_metrics);
  set(p.preferred_dimensions, u.preferred_dimensions, u.has_preferred_dimensions);
  set(p.show_advanced_queries, u.show_advanced_queries, u.has_advanced);
  set(p.max_suggestions, u.max_suggestions, u.has_max);
  return changed;
}

void write_preferences(json_writer& w, const suggestion_preferences& p) {
  w.begin_object()
    .key("user_id").value(p.user_id)
    .key("preferred_query_types").value(p.preferred_query_types)
    .key("excluded_metrics").value(p.excluded_metrics)
    .key("preferred_metrics").value(p.preferred_metrics)
    .key("preferred_dimensions").value(p.preferred_dimensions)
    .key("show_advanced_queries").value(p.show_advanced_queries)
    .key("max_suggestions").value(p.max_suggestions)
    .key("version").value(p.version)
    .key("updated_at");
  if (p.updated_at.empty())
    w.null();
  else
    w.value(p.updated_at);
  w.end_object();
}

bool same_metric_name(std::string_view a, std::string_view b) {
  return normalise_text(a) == normalise_text(b);
}

bool is_excluded_metric(const suggestion_preferences& p, std::string_view metric) {
  for (const auto& e : p.excluded_metrics)
    if (same_metric_name(e, metric))
      return true;
  return false;
}

} // namespace foresight
