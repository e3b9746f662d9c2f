// generaliser: tokenize once, mark literals and catalog terms in one pass, then give the
// remaining content phrases their grammatical role (the words around them say what they are).
#include "core/generaliser.hpp"

#include <atomic>
#include <unordered_set>

#include "core/ascii.hpp"

namespace foresight {

namespace {

using set = std::unordered_set<std::string_view>;

// Words that shape a question rather than name data; they stay in the template.
const set& structure_words() {
  static const set s = {
    "show", "me", "what", "whats", "is", "are", "was", "were", "the", "a", "an", "of", "for",
    "in", "on", "at", "to", "from", "by", "per", "across", "between", "among", "with", "where",
    "and", "or", "vs", "versus", "compare", "top", "bottom", "average", "avg", "total", "sum",
    "mean", "median", "count", "how", "many", "much", "which", "who", "give", "list", "get",
    "find", "display", "trend", "trends", "over", "time", "than", "against", "only", "excluding",
    "during", "each", "all", "my", "our", "their", "this", "that", "these", "those", "do", "does",
    "did", "has", "have", "highest", "lowest", "best", "worst", "most", "least", "largest",
    "smallest", "biggest", "rank", "ranking", "growth", "change", "difference", "breakdown",
    "distribution", "whose", "when", "why", "please", "can", "you", "i", "we", "it", "be", "as",
    "up", "down", "into", "within", "without", "not", "no", "than", "more", "less", "greater",
    "above", "below", "under", "about", "?", "and"};
  return s;
}

const set& ranking_words() {
  static const set s = {"top", "bottom", "highest", "lowest", "best", "worst", "rank", "ranking",
                        "most", "least", "largest", "smallest", "biggest"};
  return s;
}
const set& comparison_words() {
  static const set s = {"compare", "vs", "versus", "across", "against", "between", "difference"};
  return s;
}
const set& aggregation_words() {
  static const set s = {"average", "avg", "total", "sum", "mean", "median", "count"};
  return s;
}
const set& time_units() {
  static const set s = {"day", "days", "week", "weeks", "month", "months", "quarter",
                        "quarters", "year", "years", "hour", "hours"};
  return s;
}

int month_number(std::string_view w) {
  static const std::unordered_map<std::string_view, int> m = {
    {"january", 1}, {"jan", 1},  {"february", 2}, {"feb", 2},       {"march", 3},
    {"mar", 3},     {"april", 4}, {"apr", 4},     {"may", 5},       {"june", 6},
    {"jun", 6},     {"july", 7}, {"jul", 7},      {"august", 8},    {"aug", 8},
    {"september", 9}, {"sep", 9}, {"sept", 9},    {"october", 10},  {"oct", 10},
    {"november", 11}, {"nov", 11}, {"december", 12}, {"dec", 12}};
  auto i = m.find(w);
  return i == m.end() ? 0 : i->second;
}

bool all_digits(std::string_view w) {
  if (w.empty())
    return false;
  for (char c : w)
    if (c < '0' || c > '9')
      return false;
  return true;
}

/// 10, 1,000, 3.5, $20, 15%, 2k
bool is_number(std::string_view w) {
  if (!w.empty() && (w.front() == '$' || w.front() == '-'))
    w.remove_prefix(1);
  if (!w.empty() && (w.back() == '%' || w.back() == 'k' || w.back() == 'm'))
    w.remove_suffix(1);
  bool digit = false;
  for (char c : w) {
    if (c >= '0' && c <= '9')
      digit = true;
    else if (c != '.' && c != ',')
      return false;
  }
  return digit;
}

bool is_year(std::string_view w) {
  if (w.size() != 4 || !all_digits(w))
    return false;
  int y = std::stoi(std::string(w));
  return y >= 1900 && y <= 2100;
}

bool is_ordinal_day(std::string_view w) {
  std::string_view digits = w;
  for (auto suffix : {"st", "nd", "rd", "th"})
    if (w.size() > 2 && w.substr(w.size() - 2) == suffix)
      digits = w.substr(0, w.size() - 2);
  if (digits.empty() || digits.size() > 2 || !all_digits(digits))
    return false;
  int d = std::stoi(std::string(digits));
  return d >= 1 && d <= 31;
}

/// 2024-03-01, 03/01/2024, 1/3/24
bool is_numeric_date(std::string_view w) {
  int parts = 0, digits = 0;
  char sep = 0;
  for (char c : w) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '-' || c == '/') {
      if ((sep && c != sep) || digits == 0)
        return false;
      sep = c;
      ++parts;
      digits = 0;
    } else {
      return false;
    }
  }
  return parts == 2 && digits > 0;
}

/// Appends the singular of `w` to `out` (categories -> category, regions -> region).
void append_singular(std::string_view w, std::string& out) {
  if (w.size() > 4 && w.substr(w.size() - 3) == "ies") {
    out.append(w.data(), w.size() - 3);
    out.push_back('y');
    return;
  }
  if (w.size() > 3 && w.back() == 's' && w[w.size() - 2] != 's' && w[w.size() - 2] != 'u')
    w.remove_suffix(1);
  out.append(w.data(), w.size());
}

struct token {
  std::string_view lower;    // lower-cased, a view into the per-thread buffer
  std::string_view original; // as typed, a view into the query
  bool quoted = false;
  bool sentence_start = false;
};

/// Splits `q` into tokens; lower-cased text goes into `buf`, which the tokens then view. All
/// storage is reused across calls on the same thread, so steady-state tokenizing allocates
/// nothing.
void tokenize(std::string_view q, std::string& buf, std::vector<token>& out) {
  out.clear();
  buf.clear();
  buf.reserve(q.size()); // never grows below: the views stay valid
  std::size_t i = 0;
  bool start = true;
  auto emit = [&](std::string_view original, bool quoted) {
    auto at = buf.size();
    for (char ch : original)
      buf.push_back(static_cast<unsigned char>(ch) < 0x80 && !quoted
                      ? ascii_lower(static_cast<unsigned char>(ch))
                      : ch); // multibyte UTF-8 passes through untouched
    token t;
    t.lower = std::string_view(buf.data() + at, original.size());
    t.original = original;
    t.quoted = quoted;
    t.sentence_start = start;
    out.push_back(t);
    start = false;
  };
  while (i < q.size()) {
    unsigned char c = static_cast<unsigned char>(q[i]);
    if (c == '"' || c == '\'') {
      auto end = q.find(static_cast<char>(c), i + 1);
      // An apostrophe inside a word (what's) is not a quote; a lone quote is dropped.
      if (end != std::string_view::npos && (c == '"' || i == 0 || q[i - 1] == ' ')) {
        emit(q.substr(i + 1, end - i - 1), true);
        i = end + 1;
        continue;
      }
      ++i;
      continue;
    }
    if (is_ascii_space(c) || c == ',' || c == ';' || c == ':' || c == '(' || c == ')' ||
        c == '!' || c == '?') {
      if (c == '?' || c == '!')
        start = true;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < q.size()) {
      unsigned char d = static_cast<unsigned char>(q[j]);
      if (is_ascii_space(d) || d == ',' || d == ';' || d == ':' || d == '(' || d == ')' ||
          d == '!' || d == '?' || d == '"')
        break;
      ++j;
    }
    // A comma inside a number (1,000) keeps the number whole.
    while (j + 1 < q.size() && q[j] == ',' && j > i &&
           is_ascii_digit(static_cast<unsigned char>(q[j - 1])) &&
           is_ascii_digit(static_cast<unsigned char>(q[j + 1]))) {
      j += 1;
      while (j < q.size() && is_ascii_digit(static_cast<unsigned char>(q[j])))
        ++j;
    }
    auto original = q.substr(i, j - i);
    while (!original.empty() && (original.back() == '.' || original.back() == '\''))
      original.remove_suffix(1); // "sales." at the end of a sentence
    if (!original.empty())
      emit(original, false);
    else
      start = false;
    i = j;
  }
}

/// An output slot: a literal word or a placeholder.
struct slot {
  std::string_view text; // the literal (lower-cased) or the placeholder
  bool placeholder = false;
  bool content = false;  // a literal that may name data (not a structure word)
};

bool is_ticker(const token& t) {
  if (t.original.size() < 2 || t.original.size() > 5)
    return false;
  for (char c : t.original)
    if (c < 'A' || c > 'Z')
      return false;
  return true;
}

bool capitalised(const token& t) {
  return !t.original.empty() && t.original[0] >= 'A' && t.original[0] <= 'Z';
}

} // namespace

const char* to_string(query_type t) {
  switch (t) {
    case query_type::ranking: return "ranking";
    case query_type::trend: return "trend";
    case query_type::comparison: return "comparison";
    case query_type::aggregation: return "aggregation";
    case query_type::filter: return "filter";
    case query_type::other: return "other";
  }
  return "other";
}

// -- catalog_index ------------------------------------------------------------------

void catalog_index::add(const std::string& text, kind what, const std::string& name) {
  // Normalise: lower case, '_' and '-' as spaces, each word singular.
  std::string key, word;
  std::size_t words = 0;
  auto flush = [&] {
    if (word.empty())
      return;
    if (!key.empty())
      key.push_back(' ');
    append_singular(word, key);
    word.clear();
    ++words;
  };
  for (char c : text) {
    if (c == '_' || c == '-' || c == ' ')
      flush();
    else
      word.push_back(ascii_lower(static_cast<unsigned char>(c)));
  }
  flush();
  if (key.empty())
    return;
  phrases_.emplace(key, term{what, name});
  longest_ = std::max(longest_, words);
}

std::uint64_t catalog_index::next_serial() {
  static std::atomic<std::uint64_t> last{0};
  return ++last;
}

catalog_index::catalog_index(const connection_catalog& c) : serial_(next_serial()) {
  for (auto& m : c.metrics) {
    names_[static_cast<int>(kind::metric)].insert(m.name);
    add(m.name, kind::metric, m.name);
    add(m.display_name, kind::metric, m.name);
  }
  for (auto& d : c.dimensions) {
    names_[static_cast<int>(kind::dimension)].insert(d.name);
    add(d.name, kind::dimension, d.name);
    add(d.display_name, kind::dimension, d.name);
  }
  for (auto& e : c.entities) {
    names_[static_cast<int>(kind::entity)].insert(e.name);
    add(e.name, kind::entity, e.name);
    add(e.display_name, kind::entity, e.name);
  }
}

std::size_t catalog_index::match(const std::vector<std::string_view>& words, std::size_t i,
                                 term& out) const {
  if (phrases_.empty())
    return 0;
  thread_local std::string key; // keeps its capacity: no allocation per lookup
  key.clear();
  std::size_t best = 0;
  for (std::size_t n = 1; n <= longest_ && i + n <= words.size(); ++n) {
    if (n > 1)
      key.push_back(' ');
    append_singular(words[i + n - 1], key);
    auto it = phrases_.find(key);
    if (it != phrases_.end()) {
      out = it->second;
      best = n;
    }
  }
  return best;
}

// -- generalise -----------------------------------------------------------------------

generalised_query generalise(std::string_view query, const catalog_index& catalog) {
  generalised_query g;
  // Per-thread scratch space, reused across calls.
  thread_local std::string buf;
  thread_local std::vector<token> tokens;
  thread_local std::vector<std::string_view> lower;
  thread_local std::vector<slot> slots, out;
  tokenize(query, buf, tokens);
  lower.clear();
  for (auto& t : tokens)
    lower.push_back(t.lower);
  slots.clear();
  out.clear();
  auto put = [&](const char* placeholder) {
    if (!slots.empty() && slots.back().placeholder && slots.back().text == placeholder)
      return; // one phrase, one placeholder
    slots.push_back({placeholder, true, false});
  };
  auto at = [&](std::size_t k) -> std::string_view {
    return k < lower.size() ? lower[k] : std::string_view();
  };
  bool timeframe = false, value = false;
  for (std::size_t i = 0; i < tokens.size();) {
    auto& t = tokens[i];
    auto w = at(i);
    if (t.quoted) {
      put("{value}");
      value = true;
      ++i;
      continue;
    }
    // -- periods --
    std::size_t j = i;
    if (w == "over" && at(i + 1) == "the" && (at(i + 2) == "last" || at(i + 2) == "past"))
      j = i + 2;
    if (at(j) == "last" || at(j) == "past" || at(j) == "previous" || at(j) == "next" ||
        at(j) == "this" || at(j) == "current") {
      std::size_t k = j + 1;
      if (is_number(at(k)))
        ++k;
      if (time_units().count(at(k))) {
        put("{timeframe}");
        timeframe = true;
        i = k + 1;
        continue;
      }
    }
    if (w == "ytd" || w == "mtd" || w == "qtd" || w == "wtd" || w == "today" ||
        w == "yesterday") {
      put("{timeframe}");
      timeframe = true;
      ++i;
      continue;
    }
    if ((w == "year" || w == "month" || w == "quarter" || w == "week") && at(i + 1) == "to" &&
        at(i + 2) == "date") {
      put("{timeframe}");
      timeframe = true;
      i += 3;
      continue;
    }
    if (w == "since" && (month_number(at(i + 1)) || is_year(at(i + 1)) ||
                         is_numeric_date(at(i + 1)))) {
      put("{timeframe}");
      timeframe = true;
      i += 2;
      if (is_year(at(i)))
        ++i;
      continue;
    }
    // -- dates, quarters, months, years, numbers --
    if (is_numeric_date(w)) {
      put("{date}");
      ++i;
      continue;
    }
    if (month_number(w) && is_ordinal_day(at(i + 1))) { // "March 1st", "march 1 2024"
      put("{date}");
      i += 2;
      if (is_year(at(i)))
        ++i;
      continue;
    }
    if (is_ordinal_day(w) && !all_digits(w) && at(i + 1) == "of" && month_number(at(i + 2))) {
      put("{date}"); // "1st of March"
      i += 3;
      if (is_year(at(i)))
        ++i;
      continue;
    }
    if (w.size() == 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4') {
      put("{quarter}");
      ++i;
      continue;
    }
    if ((w == "first" || w == "second" || w == "third" || w == "fourth" || w == "1st" ||
         w == "2nd" || w == "3rd" || w == "4th") &&
        (at(i + 1) == "quarter" || at(i + 1) == "qtr")) {
      put("{quarter}");
      i += 2;
      continue;
    }
    // "may" is a month only where a month fits: before a year, or after in/for/of/since.
    if (month_number(w) && (w != "may" || is_year(at(i + 1)) ||
                            (i > 0 && (at(i - 1) == "in" || at(i - 1) == "for" ||
                                       at(i - 1) == "of" || at(i - 1) == "during")))) {
      put("{month}");
      ++i;
      continue;
    }
    if (is_year(w)) {
      put("{year}");
      ++i;
      continue;
    }
    if (is_number(w)) {
      put("{N}");
      ++i;
      continue;
    }
    // -- the catalog --
    catalog_index::term term;
    if (auto n = catalog.match(lower, i, term)) {
      switch (term.what) {
        case catalog_index::kind::metric:
          put("{metric}");
          g.metrics.push_back(term.name);
          break;
        case catalog_index::kind::dimension:
          put("{dimension}");
          g.dimensions.push_back(term.name);
          break;
        case catalog_index::kind::entity:
          put("{entity}");
          g.entities.push_back(term.name);
          break;
      }
      i += n;
      continue;
    }
    // -- literal values: tickers, names the catalog does not know --
    // Structure words, and symbols such as emoji (4-byte UTF-8), never name data.
    bool structure = structure_words().count(w) > 0 || static_cast<unsigned char>(w[0]) >= 0xF0;
    if (!structure && (is_ticker(t) || (capitalised(t) && !t.sentence_start))) {
      put("{value}");
      value = true;
      ++i;
      continue;
    }
    slots.push_back({w, false, !structure});
    ++i;
  }

  // -- grammar: give each run of content words the role its neighbours imply --
  bool ranking = false;
  for (auto& s : slots)
    if (!s.placeholder && ranking_words().count(s.text))
      ranking = true;
  for (std::size_t i = 0; i < slots.size();) {
    if (!slots[i].content) {
      out.push_back(slots[i]);
      ++i;
      continue;
    }
    std::size_t end = i;
    std::string words;
    while (end < slots.size() && slots[end].content) {
      if (!words.empty())
        words.push_back(' ');
      words += slots[end].text;
      ++end;
    }
    std::string_view before = out.empty() ? std::string_view() : out.back().text;
    std::string_view before2 = out.size() < 2 ? std::string_view() : out[out.size() - 2].text;
    std::string_view after = end < slots.size() ? slots[end].text : std::string_view();
    const char* role = nullptr;
    if ((before == "{N}" && ranking_words().count(before2)) || ranking_words().count(before))
      role = "{entity}";
    else if (before == "by" || before == "per" || before == "across" || before == "between" ||
             before == "among")
      role = ranking && (before == "by") ? "{metric}" : "{dimension}";
    else if (after == "by" || after == "per" || after == "across" || after == "over" ||
             after == "trend" || before == "compare" || aggregation_words().count(before) ||
             before == "of" || (before == "me" && before2 == "show") || before == "show")
      role = "{metric}";
    if (role && end - i <= 3) {
      if (out.empty() || out.back().text != role)
        out.push_back({role, true, false});
      auto* list = std::string_view(role) == "{metric}"      ? &g.metrics
                   : std::string_view(role) == "{dimension}" ? &g.dimensions
                                                             : &g.entities;
      list->push_back(words);
    } else {
      for (std::size_t k = i; k < end; ++k)
        out.push_back(slots[k]);
    }
    i = end;
  }

  // -- the template and the kind of question --
  bool comparison = false, trend = timeframe, aggregation = false, filter = value;
  g.template_text.reserve(query.size() + 16);
  for (std::size_t k = 0; k < out.size(); ++k) {
    auto& s = out[k];
    if (k > 0 && s.placeholder && out[k - 1].placeholder && out[k - 1].text == s.text)
      continue; // "quarterly" + catalog "profits": one {metric}
    // A template is a pattern's key: its words past the bound make no pattern of their own.
    if (g.template_text.size() + 1 + s.text.size() > max_template_bytes) {
      if (g.template_text.empty()) { // one giant word: its start, cut on a character boundary
        auto cut = max_template_bytes;
        while (cut > 0 && (static_cast<unsigned char>(s.text[cut]) & 0xC0) == 0x80)
          --cut;
        g.template_text.assign(s.text.data(), cut);
      }
      break;
    }
    if (!g.template_text.empty())
      g.template_text.push_back(' ');
    g.template_text.append(s.text.data(), s.text.size());
    if (comparison_words().count(s.text))
      comparison = true;
    if (s.text == "trend" || s.text == "trends" || s.text == "growth" || s.text == "time" ||
        s.text == "{month}" || s.text == "{quarter}" || s.text == "{date}")
      trend = true;
    if (aggregation_words().count(s.text) || s.text == "how")
      aggregation = true;
    if (s.text == "where" || s.text == "only" || s.text == "excluding" || s.text == "with")
      filter = true;
  }
  g.type = ranking       ? query_type::ranking
           : comparison  ? query_type::comparison
           : trend       ? query_type::trend
           : aggregation ? query_type::aggregation
           : filter      ? query_type::filter
                         : query_type::other;
  return g;
}

} // namespace foresight
