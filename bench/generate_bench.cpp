// Suggestion generation (a cache miss's own work) on one core: the suggest benchmark's catalog,
// nine learned templates per scope as its warm-up learns them, and the partial queries its
// pattern path sends (every word prefix of ten questions, with cuts inside the next word).
// Prints generations/s and microseconds per generation, beside the generaliser run over the same
// partial queries in the same process as a reference; a checksum keeps the work from being
// optimised away.
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "core/generaliser.hpp"
#include "core/suggestions.hpp"
#include "core/text_match.hpp"

using namespace foresight;

namespace {

const std::vector<std::string> questions = {
  "show me quarterly profits from last 5 years", "top 10 products by revenue",
  "compare revenue across regions", "average profit margin by product category",
  "revenue by region for last 30 days", "top 5 customers by revenue this quarter",
  "show me volume by sales channel", "profit trend over the last 12 months",
  "compare profit across sales channel", "total volume by region",
};

/// What the pattern path is asked: each word prefix, and cuts one to three letters into the
/// next word.
std::vector<std::string> partial_queries() {
  std::vector<std::string> out;
  for (auto& q : questions) {
    auto words = split_words(q);
    std::string prefix;
    for (std::size_t n = 0; n < words.size(); ++n) {
      prefix += (n ? " " : "") + std::string(words[n]);
      out.push_back(prefix);
      if (n + 1 < words.size())
        for (std::size_t cut = 1; cut <= 3 && cut <= words[n + 1].size(); ++cut)
          out.push_back(prefix + " " + std::string(words[n + 1].substr(0, cut)));
    }
  }
  return out;
}

pattern_hint hint(std::string tmpl, std::string type, std::int64_t frequency,
                  std::vector<std::string> metrics, std::vector<std::string> dimensions,
                  std::vector<std::string> entities) {
  pattern_hint h;
  h.template_text = std::move(tmpl);
  h.query_type = std::move(type);
  h.frequency = frequency;
  h.clicks = frequency / 12;
  h.ratings = frequency / 20;
  h.rating_total = h.ratings * 3;
  h.metrics = std::move(metrics);
  h.dimensions = std::move(dimensions);
  h.entities = std::move(entities);
  return h;
}

/// The nine templates the suggest benchmark's activity teaches, at a scope's frequencies.
std::vector<pattern_hint> templates(std::int64_t scale) {
  return {
    hint("compare {metric} across {dimension}", "comparison", 9 * scale, {"revenue"}, {"region"}, {}),
    hint("{metric} by {dimension} for {timeframe}", "trend", 5 * scale, {"revenue"}, {"region"}, {}),
    hint("show me {metric} for {quarter} {year}", "trend", 5 * scale, {"profit"}, {}, {}),
    hint("{metric} per {entity} {timeframe}", "trend", 4 * scale, {"aov"}, {}, {"customer"}),
    hint("top {N} {entity} by {metric} {timeframe}", "ranking", 4 * scale, {"revenue"}, {}, {"customer"}),
    hint("average {metric} by {dimension}", "aggregation", 4 * scale, {"profit_margin"},
         {"product_category"}, {}),
    hint("show me {metric} for {month} {year}", "trend", 4 * scale, {"volume"}, {}, {}),
    hint("show me {metric} from {timeframe}", "trend", 4 * scale, {"profit"}, {}, {}),
    hint("top {N} {entity} by {metric}", "ranking", 4 * scale, {"volume"}, {}, {"product"}),
  };
}

/// Runs `f` over the partial queries for about `seconds`; returns calls per second.
double measure(const std::vector<std::string>& partials,
               const std::function<std::size_t(const std::string&, int)>& f, double seconds,
               std::size_t& checksum) {
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  std::size_t n = 0;
  while (std::chrono::duration<double>(clock::now() - start).count() < seconds)
    for (auto& p : partials) {
      checksum += f(p, static_cast<int>(1 + n % 12));
      ++n;
    }
  return double(n) / std::chrono::duration<double>(clock::now() - start).count();
}

} // namespace

int main() {
  connection_catalog c;
  c.id = "demo-sales";
  c.metrics = {{"revenue", "Revenue", "", "sum"}, {"profit", "Profit", "", "sum"},
               {"profit_margin", "Profit margin", "", "avg"}, {"volume", "Volume", "", "sum"},
               {"aov", "Average order value", "", "avg"}};
  c.dimensions = {{"region", "Region", "string"}, {"product_category", "Product category", "string"},
                  {"channel", "Sales channel", "string"}, {"quarter", "Quarter", "time"}};
  c.entities = {{"product", "Products"}, {"customer", "Customers"}, {"stock", "Stocks"}};
  auto index = std::make_shared<const catalog_index>(c);
  pattern_hints hints{templates(1), templates(50), templates(250)};
  suggestion_preferences prefs;
  auto partials = partial_queries();

  // What the generator answers, as one number: an optimisation must leave it unchanged, and the
  // memo (as a cache shard keeps one with each patterns read) must not change it either.
  suggestion_memo memo;
  auto answers_of = [&](suggestion_memo* m) {
    std::string answers;
    for (auto& partial : partials)
      for (int count : {3, 12}) {
        suggestion_context ctx(c, prefs, hints, partial, count, "analyst",
                               calendar_day{2026, 11, 29}, index, m);
        for (auto& s : generate_suggestions(ctx))
          answers += s.text + '|' + s.type + '|' + s.description + '\n';
      }
    return answers;
  };
  auto answers = answers_of(nullptr);
  bool memo_agrees = answers_of(&memo) == answers && answers_of(&memo) == answers;
  std::size_t checksum = 0;
  auto generate_with = [&](suggestion_memo* m) {
    return [&, m](const std::string& partial, int count) {
      suggestion_context ctx(c, prefs, hints, partial, count, "analyst", calendar_day{2026, 11, 29},
                             index, m);
      auto list = generate_suggestions(ctx);
      return list.size() + (list.empty() ? 0 : list.front().text.size());
    };
  };
  double generate = measure(partials, generate_with(&memo), 3.0, checksum);
  double generate_alone = measure(partials, generate_with(nullptr), 2.0, checksum);
  double generalise_rate = measure(
    partials,
    [&](const std::string& partial, int) { return generalise(partial, *index).template_text.size(); },
    1.0, checksum);
  std::printf("generate: %.0f suggestion lists/s, %.1f us each (one core, %zu partial queries, "
              "9 templates per scope, with a memo as a cache shard keeps)\n",
              generate, 1e6 / generate, partials.size());
  std::printf("generate without a memo: %.0f/s, %.1f us each\n", generate_alone,
              1e6 / generate_alone);
  std::printf("generalise, same partial queries: %.0f/s\n", generalise_rate);
  std::printf("generate / generalise: %.1fx the time\n", generalise_rate / generate);
  std::printf("answers digest: %zx (%zu bytes); with the memo: %s\n",
              std::hash<std::string>{}(answers), answers.size(),
              memo_agrees ? "the same" : "DIFFERENT");
  std::printf("checksum: %zu\n", checksum);
  return memo_agrees ? 0 : 1;
}
