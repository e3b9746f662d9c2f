// Loose matching of what a user is typing against suggestion texts: lower-cased word tokens,
// prefix matches for the word being typed, plural forms and one-letter typos. Pure and
// allocation-light, because every suggestion candidate goes through it.
#pragma once
#include <bitset>
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

/// Lower-cases ASCII, turns punctuation (except inside numbers) into spaces and collapses runs
/// of whitespace; "  Show me PROFIT, by region? " -> "show me profit by region".
std::string normalise_text(std::string_view text);

/// The words of a normalised text.
std::vector<std::string_view> split_words(std::string_view normalised);

/// Damerau-Levenshtein distance, but stops counting at `limit + 1`.
int edit_distance(std::string_view a, std::string_view b, int limit);

/// Whether a typed word stands for a candidate's word: equal, singular/plural, a prefix
/// (only `typing`, the word still being typed, may be a short prefix), or one typo away.
bool word_matches(std::string_view typed, std::string_view word, bool typing);

/// Words that carry no meaning in a request ("show", "me", "the", ...): they need not match.
bool is_filler_word(std::string_view word);

/// How well a candidate text answers a partial query.
struct text_match {
  bool matched = false; ///< every meaningful typed word matches a word of the candidate
  bool prefix = false;  ///< the candidate starts with what was typed
  int words = 0;        ///< typed words matched
};

/// Matches one normalised partial query against many candidates: the typed words are split once.
class partial_matcher {
public:
  explicit partial_matcher(std::string_view partial_normalised);
  /// How well an already normalised candidate text answers the partial query.
  text_match match(std::string_view candidate_normalised) const;

private:
  friend class candidate_set;
  /// The match rule, given `found(i)`: whether typed word i is in the candidate.
  template <class Found>
  text_match judge(std::string_view candidate_normalised, Found&& found) const;
  std::string_view partial_;
  std::vector<std::string_view> typed_;
  std::vector<bool> filler_;
};

/// Many normalised candidate texts, kept to be matched against one partial query after another
/// (a suggestion memo keeps its candidates this way). The distinct words of all of them are
/// matched once per typed word, and each candidate is then a few bit tests; the answers are
/// partial_matcher::match's.
class candidate_set {
public:
  void add(std::string_view candidate_normalised);
  std::size_t size() const { return ends_.size(); }
  /// partial_matcher::match for every candidate, in the order they were added.
  void match_all(const partial_matcher& matcher, std::vector<text_match>& out) const;

private:
  static constexpr std::size_t max_vocabulary = 256;
  using word_bits = std::bitset<max_vocabulary>;
  std::string texts_;                ///< the candidates, one after the other
  std::vector<std::size_t> ends_;    ///< where each ends in texts_
  std::vector<std::string> vocabulary_;
  std::vector<word_bits> words_;     ///< per candidate, which vocabulary words it has
  bool overflow_ = false;            ///< more distinct words than bits: match one by one
};

/// Matches a normalised partial query against a candidate text (normalised here).
text_match match_partial(std::string_view partial_normalised, std::string_view candidate);

} // namespace foresight
