// Where a suggestion list's generated part came from: one table of the wire names, which the
// cache sets and the OpenAPI document's `source` enum lists (http_tests checks the two agree).
#pragma once
#include <array>
#include <string_view>

namespace foresight {

enum class suggestion_source {
  cached,            ///< a cache hit
  patterns,          ///< learned patterns and the catalog (no LLM configured or switched on)
  llm_with_patterns, ///< the LLM answered usefully
  llm_fallback,      ///< the LLM was configured but failed, timed out, was over budget or useless
};

/// Every source, in the table's order.
constexpr std::array<suggestion_source, 4> suggestion_sources{
  suggestion_source::cached, suggestion_source::patterns, suggestion_source::llm_with_patterns,
  suggestion_source::llm_fallback};

/// The wire name.
constexpr std::string_view to_string(suggestion_source s) {
  switch (s) {
    case suggestion_source::cached: return "cached";
    case suggestion_source::patterns: return "patterns";
    case suggestion_source::llm_with_patterns: return "llm_with_patterns";
    case suggestion_source::llm_fallback: return "llm_fallback";
  }
  return "patterns";
}

} // namespace foresight
