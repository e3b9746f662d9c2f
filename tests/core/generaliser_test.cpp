#include "core/generaliser.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

namespace {

/// The demo-like catalog most cases use.
const catalog_index& sales() {
  static const catalog_index index = [] {
    connection_catalog c;
    c.id = "sales";
    c.metrics = {{"revenue", "Revenue", "", "sum"},   {"profit", "Profit", "", "sum"},
                 {"profit_margin", "Profit margin", "", "avg"}, {"volume", "Volume", "", "sum"},
                 {"price", "Unit price", "", "avg"},  {"aov", "Average order value", "", "avg"}};
    c.dimensions = {{"region", "Region", "string"}, {"product_category", "Product category", "string"},
                    {"channel", "Sales channel", "string"}};
    c.entities = {{"stock", "Stocks"}, {"product", "Products"}, {"customer", "Customers"}};
    return catalog_index(c);
  }();
  return index;
}

const catalog_index& none() {
  static const catalog_index empty;
  return empty;
}

std::string tmpl(std::string_view q, const catalog_index& c = sales()) {
  return generalise(q, c).template_text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(generaliser)

BOOST_AUTO_TEST_CASE(the_spec_table_with_and_without_a_catalog) {
  for (auto* c : {&sales(), &none()}) {
    BOOST_TEST(tmpl("Top 10 stocks by volume", *c) == "top {N} {entity} by {metric}");
    BOOST_TEST(tmpl("Show me profit for Q1 2024", *c) == "show me {metric} for {quarter} {year}");
    BOOST_TEST(tmpl("Compare revenue across regions", *c) == "compare {metric} across {dimension}");
    BOOST_TEST(tmpl("Average price by product category", *c) == "average {metric} by {dimension}");
  }
}

// A template is a unique key in PostgreSQL: an 8 KiB question of unknown words must not make
// an 8 KiB template (its index row would fail every save of the learner's shard).
BOOST_AUTO_TEST_CASE(templates_are_bounded_whatever_the_question) {
  std::string words;
  for (int i = 0; words.size() < 8192; ++i)
    words += "zq" + std::to_string(i * 7919) + "x ";
  auto g = generalise(words, catalog_index{});
  BOOST_TEST(g.template_text.size() <= max_template_bytes);
  BOOST_TEST(g.template_text.size() > max_template_bytes - 20);
  BOOST_TEST(g.template_text.rfind("zq0x", 0) == 0u);
  std::string giant(8192, 'a');
  giant.replace(499, 2, "\xc3\xa9"); // an é across the bound
  auto one = generalise(giant, catalog_index{});
  BOOST_TEST(one.template_text.size() == 499u);
  BOOST_TEST(generalise("Top 10 products by revenue", catalog_index{}).template_text.size() < 40u);
}

BOOST_AUTO_TEST_CASE(numbers_years_quarters_months_and_dates) {
  BOOST_TEST(tmpl("Top 25 products by revenue") == "top {N} {entity} by {metric}");
  BOOST_TEST(tmpl("revenue above 1,000,000") == "{metric} above {N}");
  BOOST_TEST(tmpl("customers with margin over 15%") == "{entity} with {metric} over {N}");
  BOOST_TEST(tmpl("revenue in 2023") == "{metric} in {year}");
  BOOST_TEST(tmpl("profit for the third quarter") == "{metric} for the {quarter}");
  BOOST_TEST(tmpl("profit for q4") == "{metric} for {quarter}");
  BOOST_TEST(tmpl("revenue in March") == "{metric} in {month}");
  BOOST_TEST(tmpl("revenue in sept 2022") == "{metric} in {month} {year}");
  BOOST_TEST(tmpl("volume on 2024-03-01") == "{metric} on {date}");
  BOOST_TEST(tmpl("volume on 03/01/2024") == "{metric} on {date}");
  BOOST_TEST(tmpl("volume on March 1st") == "{metric} on {date}");
  BOOST_TEST(tmpl("volume on the 1st of March 2024") == "{metric} on the {date}");
  BOOST_TEST(tmpl("volume on march 1 2024") == "{metric} on {date}");
}

BOOST_AUTO_TEST_CASE(relative_periods_are_one_timeframe) {
  BOOST_TEST(tmpl("Show me quarterly profits from last 5 years") ==
             "show me {metric} from {timeframe}");
  BOOST_TEST(tmpl("revenue for the past 30 days") == "{metric} for the {timeframe}");
  BOOST_TEST(tmpl("revenue this quarter") == "{metric} {timeframe}");
  BOOST_TEST(tmpl("profit YTD") == "{metric} {timeframe}");
  BOOST_TEST(tmpl("profit year to date") == "{metric} {timeframe}");
  BOOST_TEST(tmpl("profit since January") == "{metric} {timeframe}");
  BOOST_TEST(tmpl("profit since 2020") == "{metric} {timeframe}");
  BOOST_TEST(tmpl("volume over the last week") == "{metric} {timeframe}");
  BOOST_TEST(tmpl("revenue for the previous quarter") == "{metric} for the {timeframe}");
}

BOOST_AUTO_TEST_CASE(catalog_terms_names_display_names_and_plurals) {
  auto g = generalise("Show me profit margin by sales channel", sales());
  BOOST_TEST(g.template_text == "show me {metric} by {dimension}");
  BOOST_TEST(g.metrics == std::vector<std::string>{"profit_margin"}); // longest match wins
  BOOST_TEST(g.dimensions == std::vector<std::string>{"channel"});
  auto p = generalise("Top 3 customers by average order value", sales());
  BOOST_TEST(p.template_text == "top {N} {entity} by {metric}");
  BOOST_TEST(p.entities == std::vector<std::string>{"customer"});
  BOOST_TEST(p.metrics == std::vector<std::string>{"aov"});
  BOOST_TEST(tmpl("unit prices across product categories") == "{metric} across {dimension}");
  BOOST_TEST(tmpl("which regions grew profit") == "which {dimension} grew {metric}");
  BOOST_TEST(generalise("revenue by region", sales()).dimensions ==
             std::vector<std::string>{"region"});
}

BOOST_AUTO_TEST_CASE(grammar_alone_finds_roles_without_a_catalog) {
  auto g = generalise("Top 10 stocks by volume", none());
  BOOST_TEST(g.entities == std::vector<std::string>{"stocks"});
  BOOST_TEST(g.metrics == std::vector<std::string>{"volume"});
  BOOST_TEST(tmpl("bookings per salesperson", none()) == "{metric} per {dimension}");
  BOOST_TEST(tmpl("churn by customer segment", none()) == "{metric} by {dimension}");
  BOOST_TEST(tmpl("total bookings by sales team", none()) == "total {metric} by {dimension}");
  BOOST_TEST(tmpl("compare headcount across offices", none()) ==
             "compare {metric} across {dimension}");
  BOOST_TEST(tmpl("show me bookings for last 7 days", none()) ==
             "show me {metric} for {timeframe}");
  BOOST_TEST(tmpl("bottom 5 vendors by spend", none()) == "bottom {N} {entity} by {metric}");
}

BOOST_AUTO_TEST_CASE(literal_values_never_reach_the_template) {
  BOOST_TEST(tmpl("revenue for 'Acme Corp' by region") == "{metric} for {value} by {dimension}");
  BOOST_TEST(tmpl("revenue for \"Big Client\"") == "{metric} for {value}");
  BOOST_TEST(tmpl("What was AAPL volume on 2024-03-01?") == "what was {value} {metric} on {date}");
  BOOST_TEST(tmpl("Compare revenue across regions for Acme Corp") ==
             "compare {metric} across {dimension} for {value}");
  BOOST_TEST(tmpl("profit in Berlin last month") == "{metric} in {value} {timeframe}");
  auto g = generalise("revenue where customer is Jane Doe", sales());
  BOOST_TEST(g.template_text == "{metric} where {entity} is {value}");
  BOOST_TEST(g.template_text.find("jane") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(query_types) {
  auto type = [](std::string_view q) { return std::string(to_string(generalise(q, sales()).type)); };
  BOOST_TEST(type("Top 10 stocks by volume") == "ranking");
  BOOST_TEST(type("Which products have the highest margin") == "ranking");
  BOOST_TEST(type("Compare revenue across regions") == "comparison");
  BOOST_TEST(type("revenue vs profit") == "comparison");
  BOOST_TEST(type("Show me quarterly profits from last 5 years") == "trend");
  BOOST_TEST(type("revenue trend") == "trend");
  BOOST_TEST(type("Average price by product category") == "aggregation");
  BOOST_TEST(type("how many customers") == "aggregation");
  BOOST_TEST(type("revenue where region is North") == "filter");
  BOOST_TEST(type("hello there") == "other");
}

BOOST_AUTO_TEST_CASE(robust_to_case_punctuation_spacing_and_odd_input) {
  BOOST_TEST(tmpl("  TOP 10   Stocks, by Volume?? ") == "top {N} {entity} by {metric}");
  BOOST_TEST(tmpl("Compare revenue across regions.") == "compare {metric} across {dimension}");
  BOOST_TEST(tmpl("") == "");
  BOOST_TEST(tmpl("???") == "");
  // Non-ASCII text passes through whole (multibyte characters are not split or mangled).
  BOOST_TEST(tmpl("umsatz nach région für 2024") == "umsatz nach région für {year}");
  BOOST_TEST(tmpl("revenue 📈 by region") == "{metric} 📈 by {dimension}");
  // Long input stays linear and deterministic.
  std::string big;
  for (int i = 0; i < 2000; ++i)
    big += "revenue by region ";
  auto a = generalise(big, sales()), b = generalise(big, sales());
  BOOST_TEST(a.template_text == b.template_text);
  BOOST_TEST(a.template_text.size() < big.size() * 2);
}

BOOST_AUTO_TEST_SUITE_END()
