#include "core/catalog_infer.hpp"

#include <boost/test/unit_test.hpp>

#include "core/generaliser.hpp"
#include "core/payloads.hpp"
#include "core/views.hpp"

using namespace foresight;

BOOST_AUTO_TEST_SUITE(catalog_infer)

BOOST_AUTO_TEST_CASE(terms_seen_twice_become_a_catalog) {
  auto c = infer_catalog({"Top 10 products by revenue", "compare revenue across regions",
                          "Show me profit margin by product category",
                          "top 5 products by profit margin", "average order value by region",
                          "revenue by product categories", "total sales per sales channel"});
  // revenue 3x, profit margin 2x; order value and sales only once
  BOOST_TEST_REQUIRE(c.metrics.size() == 2u);
  BOOST_TEST(c.metrics[0].name == "revenue");
  BOOST_TEST(c.metrics[0].display_name == "Revenue");
  BOOST_TEST(c.metrics[0].aggregation == "sum");
  BOOST_TEST(c.metrics[1].name == "profit_margin");
  BOOST_TEST(c.metrics[1].display_name == "Profit margin");
  BOOST_TEST(c.metrics[1].aggregation == "avg");
  // "regions" and "region" count as one; "product categories" as "product category"
  BOOST_TEST_REQUIRE(c.dimensions.size() == 2u);
  BOOST_TEST(c.dimensions[0].name == "product_category");
  BOOST_TEST(c.dimensions[1].name == "region");
  BOOST_TEST(c.dimensions[1].type == "string");
  BOOST_TEST_REQUIRE(c.entities.size() == 1u);
  BOOST_TEST(c.entities[0].name == "product");

  // What it prints is a valid catalog body, and the generaliser then knows the terms.
  connection_catalog parsed;
  auto err = parse_catalog(catalog_body_json(c), parsed);
  BOOST_TEST(!err, err.message);
  BOOST_TEST(parsed.metrics.size() == 2u);
  auto g = generalise("revenue by region", catalog_index{parsed});
  BOOST_TEST(g.metrics.at(0) == "revenue");
  BOOST_TEST(g.dimensions.at(0) == "region");
}

BOOST_AUTO_TEST_CASE(limits_and_time_dimensions) {
  std::vector<std::string> queries;
  for (int i = 0; i < 3; ++i) {
    queries.push_back("revenue by fiscal quarter");
    queries.push_back("revenue by order date");
  }
  catalog_inference_options one;
  one.max_per_kind = 1;
  auto c = infer_catalog(queries, one);
  BOOST_TEST(c.metrics.size() == 1u);
  BOOST_TEST_REQUIRE(c.dimensions.size() == 1u);
  BOOST_TEST(c.dimensions[0].type == "time");
  catalog_inference_options strict;
  strict.min_count = 4;
  BOOST_TEST(infer_catalog(queries, strict).dimensions.empty());
  BOOST_TEST(infer_catalog({}).metrics.empty());
}

BOOST_AUTO_TEST_CASE(snake_case_names) {
  BOOST_TEST(snake_case("profit margin") == "profit_margin");
  BOOST_TEST(snake_case("  E-Mail  opens! ") == "e_mail_opens");
  BOOST_TEST(snake_case("año fiscal") == "año_fiscal");
  BOOST_TEST(snake_case("--") == "");
}

BOOST_AUTO_TEST_CASE(ndjson_lines_without_text_or_with_a_catalog_are_skipped) {
  auto texts = query_texts_of_ndjson(
    "{\"user_id\":\"a\",\"query_text\":\"revenue by region\"}\n"
    "\n"
    "{\"user_id\":\"a\",\"activity_type\":\"feedback\",\"feedback_rating\":3}\n"
    "{\"catalog\":{\"name\":\"x\"},\"query_text\":\"not a query\"}\n"
    "not json\n"
    "{\"query_text\":null}\r\n"
    "{\"query_text\":\"top 5 products by revenue\"}\r\n");
  BOOST_TEST_REQUIRE(texts.size() == 2u);
  BOOST_TEST(texts[0] == "revenue by region");
  BOOST_TEST(texts[1] == "top 5 products by revenue");
}

BOOST_AUTO_TEST_SUITE_END()
