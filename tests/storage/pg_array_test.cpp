// Tests for pg_array_builder: the literal PostgreSQL reads back element for element.
#include "storage/pg_array.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(pg_array)

BOOST_AUTO_TEST_CASE(every_element_is_quoted_and_escaped) {
  pg_array_builder b;
  BOOST_TEST(b.take() == "{}");
  b.add("plain").add("").add("NULL").add(R"(say "hi" \ bye)").add("a,b{c}").add(R"({"k":"v\"w"})");
  BOOST_TEST(b.take() == R"({"plain","","NULL","say \"hi\" \\ bye","a,b{c}","{\"k\":\"v\\\"w\"}"})");
  BOOST_TEST(b.add(std::int64_t{-5}).add(std::int64_t{1700000000000}).take() == "{-5,1700000000000}");
  BOOST_TEST(b.take() == "{}"); // take() leaves it empty
}

BOOST_AUTO_TEST_SUITE_END()
