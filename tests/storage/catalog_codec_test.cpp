#include "storage/catalog_codec.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(catalog_codec)

BOOST_AUTO_TEST_CASE(a_catalog_round_trips_through_its_columns) {
  connection_catalog c;
  c.metrics = {{"revenue", "Revenue \"net\"", "Sum of sales", "sum"}, {"units", "Units", "", ""}};
  c.dimensions = {{"region", "Region", "string"}};
  c.entities = {{"customer", "Customer"}};
  auto columns = encode_catalog_columns(c);
  BOOST_TEST(columns.entities == R"([{"name":"customer","display_name":"Customer"}])");
  connection_catalog back;
  BOOST_REQUIRE(decode_catalog_columns(columns, back));
  BOOST_REQUIRE(back.metrics.size() == 2u);
  BOOST_TEST(back.metrics[0].display_name == "Revenue \"net\"");
  BOOST_TEST(back.metrics[0].description == "Sum of sales");
  BOOST_TEST(back.metrics[0].aggregation == "sum");
  BOOST_TEST(back.metrics[1].name == "units");
  BOOST_REQUIRE(back.dimensions.size() == 1u);
  BOOST_TEST(back.dimensions[0].type == "string");
  BOOST_REQUIRE(back.entities.size() == 1u);
  BOOST_TEST(back.entities[0].display_name == "Customer");
}

BOOST_AUTO_TEST_CASE(a_missing_display_name_is_the_name_and_missing_texts_are_empty) {
  connection_catalog c;
  BOOST_REQUIRE(decode_catalog_columns({R"([{"name":"revenue"}])", "[]", "[]"}, c));
  BOOST_REQUIRE(c.metrics.size() == 1u);
  BOOST_TEST(c.metrics[0].display_name == "revenue");
  BOOST_TEST(c.metrics[0].aggregation.empty());
}

BOOST_AUTO_TEST_CASE(columns_of_another_shape_are_refused) {
  connection_catalog c;
  BOOST_TEST(!decode_catalog_columns({"{}", "[]", "[]"}, c));
  BOOST_TEST(!decode_catalog_columns({"[]", R"([{"display_name":"x"}])", "[]"}, c));
  BOOST_TEST(!decode_catalog_columns({"[]", "[]", R"(["customer"])"}, c));
  BOOST_TEST(!decode_catalog_columns({"[]", "[]", "not json"}, c));
}

BOOST_AUTO_TEST_SUITE_END()
