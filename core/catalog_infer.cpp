// catalog_infer: slot counting over the generaliser's output.
#include "core/catalog_infer.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <simdjson.h>

#include "core/ascii.hpp"
#include "core/generaliser.hpp"

namespace foresight {

namespace {

enum kind_index { metric_kind = 0, dimension_kind = 1, entity_kind = 2 };

/// Lower case, each word singular (so "regions" and "region" count as one), single spaces.
std::string normalise_phrase(std::string_view phrase) {
  std::string out, word;
  auto flush = [&] {
    if (word.empty())
      return;
    if (word.size() > 4 && word.compare(word.size() - 3, 3, "ies") == 0)
      word.replace(word.size() - 3, 3, "y");
    else if (word.size() > 3 && word.back() == 's' && word[word.size() - 2] != 's' &&
             word[word.size() - 2] != 'u')
      word.pop_back();
    if (!out.empty())
      out.push_back(' ');
    out += word;
    word.clear();
  };
  for (char c : phrase) {
    if (c == ' ' || c == '_' || c == '-')
      flush();
    else
      word.push_back(ascii_lower(static_cast<unsigned char>(c)));
  }
  flush();
  return out;
}

std::string last_word(const std::string& phrase) {
  auto space = phrase.rfind(' ');
  return space == std::string::npos ? phrase : phrase.substr(space + 1);
}

bool averaged(const std::string& phrase) {
  static const std::array<const char*, 12> words = {
    "rate", "margin", "price", "ratio", "percentage", "percent", "score", "average",
    "yield", "return", "cost", "satisfaction"};
  auto w = last_word(phrase);
  return std::find(words.begin(), words.end(), w) != words.end();
}

bool time_like(const std::string& phrase) {
  static const std::array<const char*, 10> words = {"date", "day", "week", "month", "quarter",
                                                    "year", "time", "hour", "period", "fiscal"};
  auto w = last_word(phrase);
  return std::find(words.begin(), words.end(), w) != words.end();
}

std::string display_name(const std::string& phrase) {
  auto out = phrase;
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

} // namespace

std::string snake_case(std::string_view phrase) {
  std::string out;
  bool gap = false;
  for (char ch : phrase) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c >= 0x80;
    if (!keep) {
      gap = true;
      continue;
    }
    if (gap && !out.empty())
      out.push_back('_');
    gap = false;
    out.push_back(static_cast<char>(ascii_lower(c)));
  }
  return out;
}

connection_catalog infer_catalog(const std::vector<std::string>& queries,
                                 const catalog_inference_options& options) {
  // phrase -> how often it filled each kind of slot
  std::map<std::string, std::array<std::size_t, 3>> counts;
  catalog_index empty;
  for (auto& q : queries) {
    auto g = generalise(q, empty);
    auto count = [&](const std::vector<std::string>& phrases, kind_index k) {
      for (auto& p : phrases) {
        auto n = normalise_phrase(p);
        if (!n.empty())
          ++counts[n][k];
      }
    };
    count(g.metrics, metric_kind);
    count(g.dimensions, dimension_kind);
    count(g.entities, entity_kind);
  }
  struct candidate {
    std::string phrase, name;
    std::size_t count;
  };
  std::array<std::vector<candidate>, 3> kept;
  std::map<std::string, bool> names_taken; // one name, one term (the more frequent wins)
  std::vector<std::pair<std::string, std::array<std::size_t, 3>>> all(counts.begin(),
                                                                        counts.end());
  for (auto& [phrase, c] : all) {
    int best = 0;
    for (int k = 1; k < 3; ++k)
      if (c[k] > c[best])
        best = k;
    if (c[best] < options.min_count)
      continue;
    auto name = snake_case(phrase);
    bool digits_only = std::all_of(name.begin(), name.end(),
                                   [](char ch) { return (ch >= '0' && ch <= '9') || ch == '_'; });
    if (name.empty() || digits_only || name.size() > 100)
      continue;
    kept[best].push_back({phrase, name, c[best]});
  }
  connection_catalog out;
  out.name = options.name;
  for (int k = 0; k < 3; ++k) {
    auto& v = kept[k];
    std::stable_sort(v.begin(), v.end(), [](const candidate& a, const candidate& b) {
      return a.count != b.count ? a.count > b.count : a.name < b.name;
    });
    std::size_t taken = 0;
    for (auto& c : v) {
      if (taken == options.max_per_kind)
        break;
      // Two phrases can snake-case alike ("e-mail", "e mail"): the more frequent keeps the name.
      if (!names_taken.emplace(std::to_string(k) + ":" + c.name, true).second)
        continue;
      ++taken;
      auto shown = display_name(c.phrase);
      if (k == metric_kind)
        out.metrics.push_back({c.name, shown, "inferred from " + std::to_string(c.count) +
                                                " queries",
                               averaged(c.phrase) ? "avg" : "sum"});
      else if (k == dimension_kind)
        out.dimensions.push_back({c.name, shown, time_like(c.phrase) ? "time" : "string"});
      else
        out.entities.push_back({c.name, shown});
    }
  }
  return out;
}

std::vector<std::string> query_texts_of_ndjson(std::string_view ndjson) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  for (std::size_t pos = 0; pos < ndjson.size();) {
    auto end = ndjson.find('\n', pos);
    if (end == std::string_view::npos)
      end = ndjson.size();
    auto line = ndjson.substr(pos, end - pos);
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos)
      continue;
    simdjson::dom::object obj;
    if (parser.parse(line.data(), line.size()).get(obj))
      continue;
    simdjson::dom::element e;
    if (!obj.at_key("catalog").get(e))
      continue;
    std::string_view text;
    if (obj.at_key("query_text").get(e) || e.get(text) || text.empty())
      continue;
    out.emplace_back(text);
  }
  return out;
}

} // namespace foresight
