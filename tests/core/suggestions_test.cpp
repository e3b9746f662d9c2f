#include "core/suggestions.hpp"

#include <boost/test/unit_test.hpp>
#include <atomic>
#include <thread>

#include "core/text_match.hpp"
#include "tests/support/sales_fixtures.hpp"

using namespace foresight;
using foresight::testing::hint;
using foresight::testing::sales;

namespace {

struct fixture {
  connection_catalog catalog = sales();
  suggestion_preferences prefs;
  pattern_hints patterns;

  std::vector<suggestion> run(std::string partial, int count = 6) {
    suggestion_context ctx(catalog, prefs, patterns, partial, count, "analyst",
                           calendar_day{2026, 11, 29});
    auto out = generate_suggestions(ctx);
    for (auto& s : out) {
      BOOST_TEST(ctx.answerable(s.text), s.text);
      BOOST_TEST(is_suggestion_type(s.type), s.type);
      BOOST_TEST(s.icon == icon_for(s.type));
      BOOST_TEST(!s.description.empty());
    }
    return out;
  }
};

bool mentions(const suggestion& s, const std::string& phrase) {
  auto text = " " + normalise_text(s.text) + " ";
  // "profit" must not be found inside the distinct metric "profit margin".
  if (phrase == "profit")
    for (auto at = text.find(" profit margin "); at != std::string::npos;
         at = text.find(" profit margin "))
      text.replace(at, 15, " margin_metric ");
  return text.find(" " + phrase + " ") != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(suggestions)

BOOST_FIXTURE_TEST_CASE(without_history_the_catalog_fills_the_count_with_variety, fixture) {
  auto out = run("");
  BOOST_TEST(out.size() == 6u);
  std::set<std::string> types;
  for (auto& s : out)
    types.insert(s.type);
  BOOST_TEST(types.size() >= 4u);
}

// A memo keeps candidates between requests with the same patterns; whatever else changes between
// them (what is typed and which terms it mentions, the preferences, the role, the day), the
// answers must be the ones generated without it.
BOOST_FIXTURE_TEST_CASE(a_memo_never_changes_an_answer, fixture) {
  patterns.user = {hint("user", "top {N} {entity} by {metric}", "ranking", 9, {"revenue"}),
                   hint("user", "compare {metric} across {dimension} and {dimension} for "
                                "{entity} in {year}", "comparison", 4)};
  patterns.role = {hint("role", "{metric} by {dimension} for {timeframe}", "trend", 50),
                   hint("role", "show me {metric} for {quarter} {year}", "trend", 40, {"profit"})};
  patterns.global = {hint("global", "average {metric} by {dimension}", "aggregation", 300)};
  suggestion_memo memo;
  // As a cache shard does: one index per catalog (the memo keeps answerable() per index).
  auto index = std::make_shared<const catalog_index>(catalog);
  std::vector<suggestion_preferences> variants(6);
  variants[1].show_advanced_queries = true;
  variants[2].excluded_metrics = {"revenue"};
  variants[3].preferred_metrics = {"volume"};
  variants[3].preferred_query_types = {"trend"};
  variants[4].preferred_dimensions = {"channel"};
  variants[5].excluded_metrics = {"average"}; // not a catalog metric: dropped by its words
  int compared = 0;
  for (auto& p : variants)
    for (std::string role : {"analyst", "trader"})
      for (calendar_day day : {calendar_day{2026, 11, 29}, calendar_day{2027, 1, 2}})
        for (std::string partial : {"", "rev", "top 10 prod", "compare profit acr", "show me",
                                    "profit by reg", "volume", "porfit"})
          for (int count : {1, 6, 12}) {
            suggestion_context alone(catalog, p, patterns, partial, count, role, day);
            suggestion_context kept(catalog, p, patterns, partial, count, role, day, index,
                                    &memo);
            auto a = generate_suggestions(alone), b = generate_suggestions(kept);
            BOOST_TEST_REQUIRE(a.size() == b.size(), partial);
            for (std::size_t i = 0; i < a.size(); ++i) {
              BOOST_TEST(a[i].text == b[i].text, partial);
              BOOST_TEST(a[i].description == b[i].description, partial);
              BOOST_TEST(a[i].type == b[i].type, partial);
            }
            ++compared;
          }
  BOOST_TEST(compared == 576);
}

// The cache shards share one memo per user: threads building, dropping (past 64 keys) and reading
// its lists at once must still get the answers generated without it.
BOOST_FIXTURE_TEST_CASE(a_memo_shared_by_threads_never_changes_an_answer, fixture) {
  patterns.user = {hint("user", "top {N} {entity} by {metric}", "ranking", 9, {"revenue"})};
  patterns.role = {hint("role", "{metric} by {dimension} for {timeframe}", "trend", 50),
                   hint("role", "show me {metric} for {quarter} {year}", "trend", 40, {"profit"})};
  patterns.global = {hint("global", "average {metric} by {dimension}", "aggregation", 300)};
  struct request {
    suggestion_preferences prefs;
    std::string role, partial;
    calendar_day day;
    std::vector<std::string> expected; ///< texts generated without a memo
  };
  std::vector<request> requests;
  std::vector<suggestion_preferences> variants(4);
  variants[1].show_advanced_queries = true;
  variants[2].excluded_metrics = {"revenue"};
  variants[3].preferred_dimensions = {"channel"};
  for (auto& p : variants)
    for (std::string role : {"analyst", "trader", "executive"})
      for (calendar_day day : {calendar_day{2026, 11, 29}, calendar_day{2027, 1, 2}})
        for (std::string partial : {"", "rev", "top 10 prod", "profit by reg", "volume"}) {
          request r{p, role, partial, day, {}};
          suggestion_context alone(catalog, p, patterns, partial, 6, role, day);
          for (auto& s : generate_suggestions(alone))
            r.expected.push_back(s.text);
          requests.push_back(std::move(r));
        }
  suggestion_memo memo;
  auto index = std::make_shared<const catalog_index>(catalog);
  std::atomic<int> wrong{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round)
        for (std::size_t k = 0; k < requests.size(); ++k) {
          // Each thread walks the requests in its own order, so they build and drop different
          // keys at the same time.
          auto& r = requests[(k * (2 * t + 1) + static_cast<std::size_t>(round)) % requests.size()];
          suggestion_context kept(catalog, r.prefs, patterns, r.partial, 6, r.role, r.day, index,
                                  &memo);
          std::vector<std::string> got;
          for (auto& s : generate_suggestions(kept))
            got.push_back(s.text);
          if (got != r.expected)
            ++wrong;
          ++done;
        }
    });
  for (auto& th : threads)
    th.join();
  BOOST_TEST(done.load() == static_cast<int>(4 * 20 * requests.size()));
  BOOST_TEST(wrong.load() == 0);
}

BOOST_FIXTURE_TEST_CASE(the_count_is_honoured, fixture) {
  BOOST_TEST(run("", 1).size() == 1u);
  BOOST_TEST(run("", 12).size() == 12u);
}

BOOST_FIXTURE_TEST_CASE(the_partial_query_is_matched_with_typos, fixture) {
  for (auto partial : {"show me prof", "reveune", "compare rev"}) {
    auto out = run(partial);
    BOOST_TEST(!out.empty(), partial);
    for (auto& s : out)
      BOOST_TEST(match_partial(normalise_text(partial), s.text).matched, partial << " -> " << s.text);
  }
  auto out = run("show me prof");
  BOOST_TEST(out[0].type == "complete");
  BOOST_TEST(normalise_text(out[0].text).rfind("show me profit", 0) == 0u, out[0].text);
}

BOOST_FIXTURE_TEST_CASE(an_excluded_metric_never_appears, fixture) {
  prefs.excluded_metrics = {"profit", "internal_id"};
  patterns.user = {hint("user_specific", "show me {metric} for {quarter} {year}", "filter", 9,
                        {"profit"})};
  for (auto partial : {"", "prof", "show me profit", "internal", "top"}) {
    for (auto& s : run(partial, 12)) {
      BOOST_TEST(!mentions(s, "profit"), s.text);
      BOOST_TEST(!mentions(s, "internal id"), s.text);
    }
  }
  // However loosely it was typed.
  prefs.excluded_metrics = {" PROFIT "};
  for (auto& s : run("prof", 12))
    BOOST_TEST(!mentions(s, "profit"), s.text);
  prefs.excluded_metrics = {"profit", "internal_id"};
  // Excluding "profit" does not exclude "profit margin".
  bool margin = false;
  for (auto& s : run("margin", 12))
    margin = margin || mentions(s, "profit margin");
  BOOST_TEST(margin);
}

BOOST_FIXTURE_TEST_CASE(preferred_metrics_dimensions_and_types_come_first, fixture) {
  prefs.preferred_metrics = {"volume"};
  auto out = run("");
  BOOST_TEST(mentions(out[0], "volume"), out[0].text);
  prefs.preferred_metrics.clear();
  prefs.preferred_query_types = {"trend"};
  out = run("");
  BOOST_TEST(out[0].type == "trend");
  prefs.preferred_query_types.clear();
  prefs.preferred_dimensions = {"channel"};
  out = run("compare");
  BOOST_TEST(mentions(out[0], "sales channel"), out[0].text);
}

BOOST_FIXTURE_TEST_CASE(the_user_s_own_patterns_rank_above_the_role_s_and_global_ones, fixture) {
  patterns.global = {hint("global", "average {metric} by {dimension}", "aggregation", 500)};
  patterns.role = {hint("role_based", "top {N} {entity} by {metric}", "ranking", 100)};
  patterns.user = {hint("user_specific", "compare {metric} across {dimension}", "comparison", 2,
                        {"volume"})};
  auto out = run("");
  BOOST_REQUIRE(out.size() >= 3u);
  BOOST_TEST(out[0].text == "Compare volume across region");
  BOOST_TEST(out[0].description == "From your past questions");
  std::size_t role_at = 99, global_at = 99;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].description == "Popular with analysts" && role_at == 99)
      role_at = i;
    if (out[i].description == "Popular across teams" && global_at == 99)
      global_at = i;
  }
  BOOST_TEST(role_at < global_at);
}

BOOST_FIXTURE_TEST_CASE(templates_are_filled_from_the_catalog_and_the_calendar, fixture) {
  patterns.user = {hint("user_specific", "show me {metric} for {quarter} {year}", "filter", 3,
                        {"revenue"}),
                   hint("user_specific", "revenue for {value}", "filter", 50)};
  auto out = run("show me");
  BOOST_REQUIRE(!out.empty());
  BOOST_TEST(out[0].text == "Show me revenue for Q4 2026");
  for (auto& s : out)
    BOOST_TEST(s.text.find('{') == std::string::npos, s.text);
}

BOOST_FIXTURE_TEST_CASE(duplicates_are_removed, fixture) {
  patterns.user = {hint("user_specific", "compare {metric} across {dimension}", "comparison", 5)};
  patterns.role = patterns.user;
  auto out = run("", 12);
  std::set<std::string> texts;
  for (auto& s : out)
    BOOST_TEST(texts.insert(normalise_text(s.text)).second, s.text);
}

BOOST_FIXTURE_TEST_CASE(multi_step_questions_only_when_asked_for, fixture) {
  auto advanced = [](const std::vector<suggestion>& out) {
    int n = 0;
    for (auto& s : out)
      n += s.text.find("over the last 4 quarters") != std::string::npos ||
           s.text.find(" and their ") != std::string::npos;
    return n;
  };
  BOOST_TEST(advanced(run("compare", 12)) == 0);
  prefs.show_advanced_queries = true;
  BOOST_TEST(advanced(run("compare", 12)) > 0);
}

BOOST_FIXTURE_TEST_CASE(answerable_means_catalog_terms_only, fixture) {
  suggestion_context ctx(catalog, prefs, patterns, "", 6, "analyst");
  BOOST_TEST(ctx.answerable("Top 10 products by revenue"));
  BOOST_TEST(ctx.answerable("Compare profit margin across regions"));
  BOOST_TEST(!ctx.answerable("Top 10 widgets by churn"));
  BOOST_TEST(!ctx.answerable("hello there"));
  BOOST_TEST(!ctx.answerable(""));
}

BOOST_FIXTURE_TEST_CASE(llm_answers_are_validated_then_topped_up, fixture) {
  prefs.excluded_metrics = {"profit"};
  suggestion_context ctx(catalog, prefs, patterns, "", 6, "analyst");
  std::vector<suggestion> llm = {
    {"Revenue by region for last quarter", "dimension", "Regional revenue", ""},
    {"Top 10 products by profit", "ranking", "", ""},                // excluded metric
    {"Top 10 widgets by churn rate", "ranking", "", ""},             // not in the catalog
    {"revenue by region for last quarter", "dimension", "", ""},     // duplicate
    {"Show me revenue and volume and margin for every region and every product category "
     "over the last twelve months please",
     "complete", "", ""},                                            // 15 words or more
    {"Volume trend over the last 12 months", "sparkline", "", ""},   // unknown type
  };
  int usable = -1;
  auto out = merge_llm_suggestions(ctx, llm, usable);
  BOOST_TEST(usable == 2);
  BOOST_REQUIRE(out.size() == 6u);
  BOOST_TEST(out[0].text == "Revenue by region for last quarter");
  BOOST_TEST(out[0].icon == "🏷️");
  BOOST_TEST(out[1].text == "Volume trend over the last 12 months");
  BOOST_TEST(out[1].type == "complete");
  for (auto& s : out)
    BOOST_TEST(!mentions(s, "profit"), s.text);
  int none = -1;
  merge_llm_suggestions(ctx, {}, none);
  BOOST_TEST(none == 0);
}

BOOST_AUTO_TEST_SUITE_END()
