// The prompt the LLM gateway sends and the parsing of what comes back: pure, no network.
#include "llm/llm_prompt.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/sales_fixtures.hpp"

using namespace foresight;
using foresight::testing::hint;
using foresight::testing::sales;

namespace {

struct fixture {
  connection_catalog catalog = sales();
  suggestion_preferences prefs;
  pattern_hints patterns;
};

} // namespace

BOOST_AUTO_TEST_SUITE(llm_prompt)
BOOST_FIXTURE_TEST_CASE(the_prompt_carries_catalog_and_templates_but_no_excluded_metric, fixture) {
  prefs.excluded_metrics = {"internal_id"};
  patterns.user = {hint("user_specific", "top {N} {entity} by {metric}", "ranking", 4)};
  patterns.role = {hint("role_based", "compare {metric} across {dimension}", "comparison", 9)};
  suggestion_context ctx(catalog, prefs, patterns, "Show me prof", 5, "analyst");
  auto p = build_suggestion_prompt(ctx);
  BOOST_TEST(p.system.find("JSON") != std::string::npos);
  BOOST_TEST(p.user.find("\"profit margin\"") != std::string::npos);
  BOOST_TEST(p.user.find("Gross revenue") != std::string::npos);
  BOOST_TEST(p.user.find("top {N} {entity} by {metric}") != std::string::npos);
  BOOST_TEST(p.user.find("compare {metric} across {dimension}") != std::string::npos);
  BOOST_TEST(p.user.find("\"partial_query\":\"show me prof\"") != std::string::npos);
  BOOST_TEST(p.user.find("\"name\":\"internal id\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(llm_content_is_parsed_leniently_but_must_be_the_object) {
  std::vector<suggestion> out;
  BOOST_TEST(parse_llm_suggestions(
    R"({"suggestions":[{"text":"Revenue by region","type":"dimension"},7,{"type":"x"},{"text":"A"}]})",
    out));
  BOOST_TEST(out.size() == 2u);
  BOOST_TEST(out[0].type == "dimension");
  out.clear();
  BOOST_TEST(!parse_llm_suggestions("<html>oops</html>", out));
  BOOST_TEST(!parse_llm_suggestions(R"(["Revenue by region"])", out));
}

BOOST_AUTO_TEST_SUITE_END()
