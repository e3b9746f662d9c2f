#include "core/errors.hpp"

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>

#include "core/views.hpp"

using namespace foresight;

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(every_code_has_a_unique_name_and_an_http_status) {
  std::set<std::string> names;
  for (int i = 0; i < error_code_count; ++i) {
    auto code = static_cast<error_code>(i);
    std::string name = to_string(code);
    BOOST_TEST(name != "unknown");
    BOOST_TEST(names.insert(name).second, "duplicate name " << name);
    auto status = http_status(code);
    BOOST_TEST((i == 0 ? status == 200 : (status >= 400 && status <= 599)));
  }
}

BOOST_AUTO_TEST_CASE(statuses_match_the_contract) {
  BOOST_TEST(http_status(error_code::bad_request) == 400);
  BOOST_TEST(http_status(error_code::unauthorized) == 401);
  BOOST_TEST(http_status(error_code::forbidden) == 403);
  BOOST_TEST(http_status(error_code::not_found) == 404);
  BOOST_TEST(http_status(error_code::method_not_allowed) == 405);
  BOOST_TEST(http_status(error_code::payload_too_large) == 413);
  BOOST_TEST(http_status(error_code::unsupported_media_type) == 415);
  BOOST_TEST(http_status(error_code::validation_failed) == 422);
  BOOST_TEST(http_status(error_code::rate_limited) == 429);
  BOOST_TEST(http_status(error_code::internal) == 500);
  BOOST_TEST(http_status(error_code::unavailable) == 503);
}

BOOST_AUTO_TEST_CASE(error_json_names_the_field_only_when_there_is_one) {
  BOOST_TEST(error_json(make_error(error_code::validation_failed, "bad \"x\"", "metrics[0].name")) ==
             R"({"error":{"code":"validation_failed","message":"bad \"x\"","field":"metrics[0].name"}})");
  BOOST_TEST(error_json(make_error(error_code::not_found, "nope")) ==
             R"({"error":{"code":"not_found","message":"nope"}})");
}

BOOST_AUTO_TEST_SUITE_END()
