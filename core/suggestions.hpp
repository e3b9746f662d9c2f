// The suggestion generator: personalised query suggestions from learned templates and the
// connection's catalog, matched against what the user is typing and shaped by their
// preferences. Pure: the cache actors call it on a miss, and the LLM path uses it to validate the
// model's answer and to top it up.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/generaliser.hpp"
#include "core/model.hpp"

namespace foresight {

/// The icon the product shows beside each suggestion type.
const char* icon_for(std::string_view type);

/// True for the eight suggestion types.
bool is_suggestion_type(std::string_view type);

/// The calendar a template's {year}, {quarter}, {month} and {date} are filled from.
struct calendar_day {
  int year = 2026, month = 1, day = 1; ///< month 1-12
  /// Today in UTC.
  static calendar_day today();
};

/// What generation can keep between requests with the same learned patterns: the candidates
/// from templates and catalog rules, built and normalised, per set of terms the partial query
/// mentions. A miss then only matches them against what was typed. One memo per pattern_hints
/// object, which any number of threads may use at once (the cache shards share one per user).
class suggestion_memo {
public:
  suggestion_memo();
  ~suggestion_memo();
  suggestion_memo(const suggestion_memo&) = delete;
  suggestion_memo& operator=(const suggestion_memo&) = delete;

  struct lists; ///< defined beside the generator
  lists& kept() { return *kept_; }

private:
  std::unique_ptr<lists> kept_;
};

/// One request's inputs, compiled once: the catalog as an index (phrases and names), the
/// vocabulary ordered by preference (excluded metrics gone), the normalised partial query.
/// `index` is the catalog's index when the caller keeps one (it depends on the catalog alone);
/// `memo`, one kept with `patterns` (answers are the same with or without it).
class suggestion_context {
public:
  suggestion_context(const connection_catalog& catalog, const suggestion_preferences& prefs,
                     const pattern_hints& patterns, std::string_view partial_query, int count,
                     std::string role, calendar_day today = calendar_day::today(),
                     std::shared_ptr<const catalog_index> index = nullptr,
                     suggestion_memo* memo = nullptr);

  /// True if `text` is safe to show: it names at least one catalog metric, dimension or entity,
  /// nothing outside the catalog, and no excluded metric.
  bool answerable(std::string_view text) const;

  const connection_catalog& catalog() const { return catalog_; }
  const suggestion_preferences& preferences() const { return prefs_; }
  const pattern_hints& patterns() const { return patterns_; }
  const std::string& partial() const { return partial_; }
  int count() const { return count_; }

  // -- for the generator --
  struct term {
    std::string name;   ///< catalog name
    std::string phrase; ///< how it reads in a sentence ("profit margin")
    std::string aggregation;
    bool preferred = false;
    bool mentioned = false; ///< what the user is typing seems to name it
  };
  const std::vector<term>& metrics() const { return metrics_; }
  const std::vector<term>& dimensions() const { return dimensions_; }
  const std::vector<term>& entities() const { return entities_; }
  const catalog_index& index() const { return *index_; }
  const std::shared_ptr<const catalog_index>& shared_index() const { return index_; }
  /// True if the preferences exclude metric names the catalog does not have.
  bool excludes_unknown_names() const { return !excluded_phrases_.empty(); }
  const std::string& role() const { return role_; }
  const calendar_day& today() const { return today_; }
  suggestion_memo* memo() const { return memo_; }

private:
  void order_terms(std::vector<term>& terms, const std::vector<std::string>& preferred);
  bool names_excluded(std::string_view normalised_text) const;

  const connection_catalog& catalog_;
  const suggestion_preferences& prefs_;
  const pattern_hints& patterns_;
  std::string partial_;
  int count_;
  std::string role_;
  calendar_day today_;
  std::shared_ptr<const catalog_index> index_;
  suggestion_memo* memo_;
  std::unordered_set<std::string> excluded_catalog_;  ///< excluded catalog metric names
  std::vector<std::string> excluded_phrases_; ///< excluded names the catalog does not know
  std::vector<term> metrics_, dimensions_, entities_;
};

/// The suggestions without an LLM: completions of the partial query, filled templates (the
/// user's, then the role's, then global ones) and catalog rules; matched, deduplicated, ordered
/// by preference, at most `ctx.count()`.
std::vector<suggestion> generate_suggestions(const suggestion_context& ctx);

/// The LLM's answer, validated (unanswerable, excluded, duplicate, typeless, overlong or not
/// displayable entries dropped; a description that is not displayable replaced), first; then
/// topped up from `generate_suggestions`. `usable` tells how many of the LLM's entries survived
/// (0: the answer was garbage).
std::vector<suggestion> merge_llm_suggestions(const suggestion_context& ctx,
                                              const std::vector<suggestion>& llm, int& usable);

/// The template texts the response lists as `user_patterns` / `role_patterns` (best first).
std::vector<std::string> template_texts(const std::vector<pattern_hint>& hints, std::size_t max);

/// The suggestion array as stored in `suggestion_cache.suggestions`.
std::string suggestions_json(const std::vector<suggestion>& items);

/// A list's suggestions as that array: the list's own rendering if it has one, else rendered
/// into `scratch`.
std::string_view suggestions_json_of(const suggestion_list& l, std::string& scratch);

/// Reads that array back (icons are derived from the types); false if it is not one.
bool parse_suggestions_json(std::string_view json, std::vector<suggestion>& out);

/// Fills a hint's query type, terms, clicks and ratings from a pattern's `metadata` JSONB.
void read_pattern_metadata(std::string_view metadata_json, pattern_hint& h);

/// A pattern's rank within its scope: frequency, recency, success, clicks and ratings.
double pattern_score(const pattern_hint& h);

} // namespace foresight
