// Text matching for suggestions.
#include "core/text_match.hpp"

#include <algorithm>
#include <array>

#include "core/ascii.hpp"

namespace foresight {

std::string normalise_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = true; // suppress leading and repeated spaces
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bool keep = is_ascii_alnum(c) || c >= 0x80 || c == '%' ||
                // "1.5" and "2024-01" stay one token; "profit." does not
                ((c == '.' || c == '-' || c == '/') && i > 0 && i + 1 < text.size() &&
                 is_ascii_digit(static_cast<unsigned char>(text[i - 1])) &&
                 is_ascii_digit(static_cast<unsigned char>(text[i + 1]))) ||
                (c == '_' && !space);
    if (keep) {
      out.push_back(ascii_lower(c));
      space = false;
    } else if (!space) {
      out.push_back(' ');
      space = true;
    }
  }
  if (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    auto j = s.find(' ', i);
    if (j == std::string_view::npos)
      j = s.size();
    if (j > i)
      words.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return words;
}

namespace {

/// The words of a normalised text, at most `max` of them (as partial_matcher::match sees them).
template <class F>
void for_each_word(std::string_view text, std::size_t max, F&& f) {
  std::size_t n = 0;
  for (std::size_t i = 0, start = 0; i <= text.size() && n < max; ++i)
    if (i == text.size() || text[i] == ' ') {
      if (i > start) {
        f(text.substr(start, i - start));
        ++n;
      }
      start = i + 1;
    }
}

constexpr std::size_t max_candidate_words = 64;

/// Byte equality for short words, inline: the libc call costs more than the comparison for the
/// few letters of a word, and matching compares every typed word with every candidate word.
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i])
      return false;
  return true;
}

/// `a` from `from` on equals `b` from `from_b` on, both to their ends.
inline bool same_tail(std::string_view a, std::size_t from, std::string_view b, std::size_t from_b) {
  return a.size() - from == b.size() - from_b &&
         same_bytes(a.data() + from, b.data() + from_b, a.size() - from);
}

/// Edit distance capped at 2, in one pass: past the common prefix, the one edit allowed must be
/// at the first difference. Typo tolerance only ever asks "at most one?", for every typed word
/// against every candidate word, where the full table cost a third of a miss's matching.
int distance_up_to_one(std::string_view a, std::string_view b) {
  if (a.size() < b.size())
    std::swap(a, b);
  if (a.size() - b.size() > 1)
    return 2;
  std::size_t i = 0;
  while (i < b.size() && a[i] == b[i])
    ++i;
  if (a.size() == b.size()) {
    if (i == a.size())
      return 0;
    if (same_tail(a, i + 1, b, i + 1)) // one substitution
      return 1;
    bool swapped = i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
                   same_tail(a, i + 2, b, i + 2);
    return swapped ? 1 : 2;
  }
  return same_tail(a, i + 1, b, i) ? 1 : 2; // one letter more in `a`
}

} // namespace

int edit_distance(std::string_view a, std::string_view b, int limit) {
  auto la = static_cast<int>(a.size()), lb = static_cast<int>(b.size());
  if (std::abs(la - lb) > limit)
    return limit + 1;
  if (limit <= 1)
    return std::min(distance_up_to_one(a, b), limit + 1);
  // A larger limit: the full table. Three rows suffice for one transposition, and words are
  // short, so the rows live on the stack.
  constexpr int max_len = 48;
  if (lb >= max_len)
    return a == b ? 0 : limit + 1;
  int rows[3][max_len + 1];
  int* prev2 = rows[0];
  int* prev = rows[1];
  int* cur = rows[2];
  for (int j = 0; j <= lb; ++j)
    prev[j] = j;
  for (int i = 1; i <= la; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= lb; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit)
      return limit + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[lb], limit + 1);
}

bool word_matches(std::string_view typed, std::string_view word, bool typing) {
  if (typed.size() == word.size() && same_bytes(typed.data(), word.data(), typed.size()))
    return true;
  auto plural_of = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() + 1 && a.back() == 's' && same_bytes(a.data(), b.data(), b.size());
  };
  if (plural_of(typed, word) || plural_of(word, typed))
    return true;
  // "prof" while typing, "reven" anywhere; a finished short word must match exactly.
  std::size_t min_prefix = typing ? 1 : 3;
  if (typed.size() >= min_prefix && typed.size() < word.size() &&
      same_bytes(word.data(), typed.data(), typed.size()))
    return true;
  if (typed.size() >= 4 && word.size() >= 4) {
    if (edit_distance(typed, word, 1) <= 1)
      return true;
    // A typo in the part typed so far: "porfi" for "profit".
    if (typing && word.size() > typed.size() &&
        edit_distance(typed, word.substr(0, typed.size()), 1) <= 1)
      return true;
  }
  return false;
}

bool is_filler_word(std::string_view w) {
  static constexpr std::array<std::string_view, 24> fillers = {
    "a",    "about", "an",   "are",    "can",  "could", "display", "get",
    "give", "i",     "is",   "list",   "me",   "my",    "our",     "please",
    "see",  "show",  "tell", "the",    "to",   "want",  "what",    "whats"};
  return std::binary_search(fillers.begin(), fillers.end(), w);
}

partial_matcher::partial_matcher(std::string_view partial_normalised)
  : partial_(partial_normalised), typed_(split_words(partial_normalised)) {
  for (auto w : typed_)
    filler_.push_back(is_filler_word(w));
}

template <class Found>
text_match partial_matcher::judge(std::string_view cand, Found&& found) const {
  text_match m;
  if (partial_.empty()) {
    m.matched = true;
    return m;
  }
  m.prefix = cand.size() >= partial_.size() &&
             same_bytes(cand.data(), partial_.data(), partial_.size());
  bool all = true;
  for (std::size_t i = 0; i < typed_.size(); ++i) {
    if (found(i))
      ++m.words;
    else if (!filler_[i])
      all = false;
  }
  m.matched = all && (m.words > 0 || m.prefix);
  if (!m.matched)
    m.prefix = false;
  return m;
}

text_match partial_matcher::match(std::string_view cand) const {
  if (partial_.empty()) // everything matches: no words to find
    return judge(cand, [](std::size_t) { return false; });
  // The candidate's words, found in place in one pass: this runs for every candidate of every
  // miss.
  std::string_view words[max_candidate_words];
  std::size_t n = 0;
  for_each_word(cand, max_candidate_words, [&](std::string_view w) { words[n++] = w; });
  // The last word counts as still being typed unless the partial query ended with a space,
  // which normalisation removed; treating it as typing is the forgiving choice.
  return judge(cand, [&](std::size_t i) {
    bool typing = i + 1 == typed_.size();
    return std::any_of(words, words + n,
                       [&](std::string_view w) { return word_matches(typed_[i], w, typing); });
  });
}

void candidate_set::add(std::string_view candidate) {
  texts_.append(candidate.data(), candidate.size());
  ends_.push_back(texts_.size());
  word_bits bits;
  for_each_word(candidate, max_candidate_words, [&](std::string_view w) {
    auto at = std::find(vocabulary_.begin(), vocabulary_.end(), w);
    if (at == vocabulary_.end()) {
      if (vocabulary_.size() == max_vocabulary) {
        overflow_ = true;
        return;
      }
      at = vocabulary_.insert(vocabulary_.end(), std::string(w));
    }
    bits.set(static_cast<std::size_t>(at - vocabulary_.begin()));
  });
  words_.push_back(bits);
}

void candidate_set::match_all(const partial_matcher& matcher, std::vector<text_match>& out) const {
  out.assign(ends_.size(), text_match{});
  std::string_view texts = texts_;
  auto text_of = [&](std::size_t i) {
    auto start = i == 0 ? 0 : ends_[i - 1];
    return texts.substr(start, ends_[i] - start);
  };
  if (overflow_) {
    for (std::size_t i = 0; i < ends_.size(); ++i)
      out[i] = matcher.match(text_of(i));
    return;
  }
  auto& typed = matcher.typed_;
  std::vector<word_bits> typed_bits(typed.size());
  for (std::size_t t = 0; t < typed.size(); ++t)
    for (std::size_t v = 0; v < vocabulary_.size(); ++v)
      if (word_matches(typed[t], vocabulary_[v], t + 1 == typed.size()))
        typed_bits[t].set(v);
  for (std::size_t i = 0; i < ends_.size(); ++i)
    out[i] = matcher.judge(text_of(i),
                           [&](std::size_t t) { return (typed_bits[t] & words_[i]).any(); });
}

text_match match_partial(std::string_view partial, std::string_view candidate) {
  return partial_matcher{partial}.match(normalise_text(candidate));
}

} // namespace foresight
