// The query template generaliser: turns a natural-language analytics question into a template
// ("Top 10 stocks by volume" -> "top {N} {entity} by {metric}") with a hand-written tokenizer and
// hash lookups, recognising the connection's catalog where it has one and the grammar otherwise.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/model.hpp"

namespace foresight {

/// What kind of question a query is.
enum class query_type { ranking, trend, comparison, aggregation, filter, other };

/// "ranking", "trend", ...
const char* to_string(query_type t);

/// A template and what it replaced.
struct generalised_query {
  std::string template_text;
  query_type type = query_type::other;
  std::vector<std::string> metrics;    ///< catalog names (or the words) that became {metric}
  std::vector<std::string> dimensions; ///< ... {dimension}
  std::vector<std::string> entities;   ///< ... {entity}
};

/// A catalog compiled for lookup: lower-cased names, display names and singular forms, each
/// mapping (as a phrase of one or more words) to its kind and catalog name.
class catalog_index {
public:
  enum class kind { metric, dimension, entity };
  struct term {
    kind what;
    std::string name;
  };

  catalog_index() : serial_(next_serial()) {}
  explicit catalog_index(const connection_catalog& c);

  /// The longest catalog phrase starting at words[i]; returns its length in words (0: none).
  std::size_t match(const std::vector<std::string_view>& words, std::size_t i, term& out) const;
  bool empty() const { return phrases_.empty(); }
  /// Unique per index ever built in the process: what memos of its results are keyed by (an
  /// address may be reused by a later index).
  std::uint64_t serial() const { return serial_; }
  /// Whether `name` is the catalog name of a term of this kind ("profit_margin": a metric).
  bool has_name(kind what, const std::string& name) const {
    return names_[static_cast<int>(what)].count(name) > 0;
  }

private:
  void add(const std::string& text, kind what, const std::string& name);
  std::unordered_map<std::string, term> phrases_; ///< "profit margin" -> metric profit_margin
  std::unordered_set<std::string> names_[3];      ///< catalog names, by kind
  std::size_t longest_ = 0;                        ///< words in the longest phrase
  std::uint64_t serial_;
  static std::uint64_t next_serial();
};

/// The longest template: longer questions are generalised from their first words only.
constexpr std::size_t max_template_bytes = 500;

/// Generalises one query. Thread-safe; linear in the query's length.
generalised_query generalise(std::string_view query, const catalog_index& catalog);

} // namespace foresight
