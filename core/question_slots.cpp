#include "core/question_slots.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/ascii.hpp"
#include "core/question_shape.hpp"

namespace foresight {

namespace {

struct word {
  std::size_t begin, end; ///< the word without surrounding punctuation
  std::string lower;
  bool capital = false;   ///< starts with an upper-case letter
};

std::vector<word> words_of(std::string_view t) {
  std::vector<word> out;
  std::size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && is_ascii_space(static_cast<unsigned char>(t[i])))
      ++i;
    auto b = i;
    while (i < t.size() && !is_ascii_space(static_cast<unsigned char>(t[i])))
      ++i;
    auto e = i;
    // Punctuation around a word is not part of it ("(EMEA)", "revenue,", "2026?").
    auto punct = [](char c) {
      return c == ',' || c == '.' || c == '?' || c == '!' || c == ';' || c == ':' || c == '(' ||
             c == ')' || c == '"' || c == '\'';
    };
    while (b < e && punct(t[b]))
      ++b;
    while (e > b && punct(t[e - 1]))
      --e;
    if (b == e)
      continue;
    word w{b, e, {}, t[b] >= 'A' && t[b] <= 'Z'};
    for (auto k = b; k < e; ++k)
      w.lower.push_back(ascii_lower(static_cast<unsigned char>(t[k])));
    out.push_back(std::move(w));
  }
  return out;
}

bool is_unit(std::string_view w) {
  static const std::unordered_set<std::string_view> u = {
    "day", "days", "week", "weeks", "month", "months", "quarter", "quarters", "year", "years",
    "hour", "hours"};
  return u.count(w) > 0;
}
bool is_relative(std::string_view w) {
  return w == "last" || w == "past" || w == "previous" || w == "next" || w == "this" ||
         w == "current" || w == "prior";
}
/// Words that never name a filter value even when capitalised mid-sentence.
bool is_structure(std::string_view w) {
  static const std::unordered_set<std::string_view> s = {
    "show", "me", "what", "is", "are", "the", "a", "an", "of", "for", "in", "on", "at", "to",
    "from", "by", "per", "across", "between", "with", "and", "or", "vs", "versus", "compare",
    "top", "bottom", "i", "my", "our", "how", "which", "who", "trend", "over", "time", "total",
    "average", "sum", "count", "list", "give", "get", "find", "during", "since",
    "compared", "against", "than", "vs.", "last", "this", "year", "month", "quarter", "week",
    "where", "excluding", "only", "each", "all", "same", "period"};
  return s.count(w) > 0;
}

/// The length in words of a timeframe starting at words[i] (0: none).
std::size_t timeframe_at(const std::vector<word>& w, std::size_t i) {
  auto at = [&](std::size_t k) -> std::string_view {
    return k < w.size() ? std::string_view(w[k].lower) : std::string_view();
  };
  std::size_t j = i;
  if (at(j) == "over" && at(j + 1) == "the")
    j += 2;
  if (is_relative(at(j))) {
    auto k = j + 1;
    if (is_number_word(at(k)))
      ++k;
    if (is_unit(at(k)))
      return k + 1 - i;
  }
  auto a = at(i);
  if (a == "ytd" || a == "mtd" || a == "qtd" || a == "wtd" || a == "today" || a == "yesterday")
    return 1;
  if ((a == "year" || a == "month" || a == "quarter" || a == "week") && at(i + 1) == "to" &&
      at(i + 2) == "date")
    return 3;
  if (is_quarter_word(a) || is_month_word(a))
    return is_year_word(at(i + 1)) ? 2 : 1;
  if (is_year_word(a))
    return 1;
  if ((a == "first" || a == "second" || a == "third" || a == "fourth") && at(i + 1) == "quarter")
    return is_year_word(at(i + 2)) ? 3 : 2;
  return 0;
}

} // namespace

std::vector<slot_span> find_slots(std::string_view text, const catalog_index& index) {
  auto w = words_of(text);
  std::vector<std::string_view> lower;
  lower.reserve(w.size());
  for (auto& x : w)
    lower.push_back(x.lower);
  std::vector<slot_span> out;
  for (std::size_t i = 0; i < w.size();) {
    if (auto n = timeframe_at(w, i)) {
      std::string key;
      for (std::size_t k = i; k < i + n; ++k)
        key.append(key.empty() ? "" : " ").append(w[k].lower);
      out.push_back({slot_kind::timeframe, w[i].begin, w[i + n - 1].end, std::move(key)});
      i += n;
      continue;
    }
    catalog_index::term t;
    if (auto n = index.match(lower, i, t)) {
      auto kind = t.what == catalog_index::kind::metric      ? slot_kind::metric
                  : t.what == catalog_index::kind::dimension ? slot_kind::dimension
                                                             : slot_kind::entity;
      out.push_back({kind, w[i].begin, w[i + n - 1].end, t.name});
      i += n;
      continue;
    }
    // After "for", "in" or "at": the words up to the next structure word, period or catalog
    // term name a filter value ("for wholesale", "in the UK").
    if ((w[i].lower == "for" || w[i].lower == "in" || w[i].lower == "at" ||
         w[i].lower == "within") && i + 1 < w.size()) {
      auto j = i + 1;
      if (w[j].lower == "the" && j + 1 < w.size())
        ++j;
      auto b = j;
      std::string key;
      catalog_index::term ignored;
      while (j < w.size() && j - b < 3 && !is_structure(w[j].lower) && !is_number_word(w[j].lower) &&
             !timeframe_at(w, j) && !index.match(lower, j, ignored)) {
        key.append(key.empty() ? "" : " ").append(w[j].lower);
        ++j;
      }
      if (j > b && (j == w.size() || is_structure(w[j].lower) || timeframe_at(w, j) ||
                    index.match(lower, j, ignored) || is_number_word(w[j].lower))) {
        out.push_back({slot_kind::value, w[b].begin, w[j - 1].end, std::move(key)});
        i = j;
        continue;
      }
    }
    // A capitalised run that is not the first word: a filter value ("North America sales").
    if (i > 0 && w[i].capital && !is_structure(w[i].lower)) {
      auto j = i;
      std::string key;
      while (j < w.size() && w[j].capital && !is_structure(w[j].lower) && !timeframe_at(w, j)) {
        key.append(key.empty() ? "" : " ").append(w[j].lower);
        ++j;
      }
      out.push_back({slot_kind::value, w[i].begin, w[j - 1].end, std::move(key)});
      i = j;
      continue;
    }
    ++i;
  }
  return out;
}

const slot_span* first_slot(const std::vector<slot_span>& spans, slot_kind kind) {
  for (auto& s : spans)
    if (s.kind == kind)
      return &s;
  return nullptr;
}

std::string carry_slots(std::string_view base, const std::vector<slot_span>& base_spans,
                        std::string_view from, const std::vector<slot_span>& from_spans,
                        unsigned kinds) {
  struct edit {
    std::size_t begin, end;
    std::string_view with;
  };
  std::vector<edit> edits;
  for (int k = 0; k < slot_kinds; ++k) {
    auto kind = static_cast<slot_kind>(k);
    if (!(kinds & slot_bit(kind)))
      continue;
    auto* b = first_slot(base_spans, kind);
    auto* f = first_slot(from_spans, kind);
    if (b && f && b->key != f->key)
      edits.push_back({b->begin, b->end, from.substr(f->begin, f->end - f->begin)});
  }
  std::sort(edits.begin(), edits.end(), [](auto& x, auto& y) { return x.begin < y.begin; });
  std::string out;
  std::size_t at = 0;
  for (auto& e : edits) {
    if (e.begin < at)
      continue; // overlapping spans: keep the first
    out.append(base.substr(at, e.begin - at));
    out.append(e.with);
    at = e.end;
  }
  out.append(base.substr(at));
  return out;
}

} // namespace foresight
