// Inferring a connection catalog from query texts alone, for activity logs that come without
// one (the eval harness): the generaliser, run with an empty catalog, still says which words
// fill metric, dimension and entity slots; the ones seen often enough become catalog terms.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace foresight {

struct catalog_inference_options {
  std::size_t min_count = 2;      ///< a term must fill its slots this often
  std::size_t max_per_kind = 200; ///< most metrics, dimensions and entities each
  std::string name = "Inferred catalog";
};

/// Generalises every query (empty catalog), counts each phrase per slot kind (singular, lower
/// case) and keeps, for each phrase, the kind it filled most often (ties: metric, dimension,
/// entity), if at least `min_count` times. Names are snake_case; display names the phrase with
/// a capital; metrics aggregate by `avg` when their last word says so (rate, margin, price, ...),
/// else `sum`; dimensions are `time` for time words, else `string`. Most frequent first.
connection_catalog infer_catalog(const std::vector<std::string>& queries,
                                 const catalog_inference_options& options = {});

/// The `query_text` of every line of an NDJSON activity file that has one; lines that are not
/// JSON objects, have no string query_text, or carry a top-level `catalog` member are skipped.
std::vector<std::string> query_texts_of_ndjson(std::string_view ndjson);

/// `"profit margin"` -> `profit_margin`: ASCII lower case, runs of anything but letters, digits
/// and UTF-8 bytes become one `_`, none at either end.
std::string snake_case(std::string_view phrase);

} // namespace foresight
