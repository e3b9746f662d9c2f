// The media type of a Content-Type value: parameters, case and trailing blanks do not count.
#include "http/media_type.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(media_types)

BOOST_AUTO_TEST_CASE(parameters_case_and_trailing_blanks_are_ignored) {
  BOOST_TEST(media_type("application/json") == "application/json");
  BOOST_TEST(media_type("Application/JSON; charset=utf-8") == "application/json");
  BOOST_TEST(media_type("application/x-ndjson ;charset=utf-8") == "application/x-ndjson");
  BOOST_TEST(media_type("text/plain\t;q=1") == "text/plain");
  BOOST_TEST(media_type("").empty());
  BOOST_TEST(media_type("application/jsonx") != "application/json");
}

BOOST_AUTO_TEST_SUITE_END()
