#include "http/router.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(static_and_parameterised_routes_resolve) {
  auto& r = api_router();
  auto m = r.resolve("GET", "/healthz");
  BOOST_TEST(m.kind == routing_result::found);
  BOOST_TEST((m.id == route_id::healthz));
  m = r.resolve("PUT", "/api/v1/connections/my%2Ddb?x=1");
  BOOST_TEST(m.kind == routing_result::found);
  BOOST_TEST((m.id == route_id::put_connection));
  BOOST_TEST(m.params.size() == 1u);
  BOOST_TEST(m.params[0] == "my-db");
  BOOST_TEST(m.pattern == "/api/v1/connections/{connection_id}");
  m = r.resolve("POST", "/api/v1/activity/import");
  BOOST_TEST((m.id == route_id::import_activities));
  BOOST_TEST(r.resolve("GET", "/api/v1/activity/import").allow == "POST");
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405_with_every_allowed_method) {
  auto m = api_router().resolve("DELETE", "/api/v1/connections/x");
  BOOST_TEST(m.kind == routing_result::method_not_allowed);
  BOOST_TEST(m.allow == "GET, PUT");
  BOOST_TEST(api_router().resolve("GET", "/api/v1/auth/token").allow == "POST");
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_404) {
  auto& r = api_router();
  for (auto* t : {"/", "", "api/v1/connections", "/api/v1/connections/", "/api/v1/connections/a/b",
                  "/healthz/", "/HEALTHZ", "/api/v1/connections/%zz"})
    BOOST_TEST(r.resolve("GET", t).kind == routing_result::not_found, t);
}

BOOST_AUTO_TEST_CASE(query_strings_decode_and_reject_bad_escapes) {
  std::map<std::string, std::string> q;
  BOOST_TEST(parse_query_string("partial_query=show+me%20profit&limit=5&flag", q));
  BOOST_TEST(q["partial_query"] == "show me profit");
  BOOST_TEST(q["limit"] == "5");
  BOOST_TEST(q.count("flag") == 1u);
  std::map<std::string, std::string> bad;
  BOOST_TEST(!parse_query_string("a=%4", bad));
  BOOST_TEST(!parse_query_string("a=%GG", bad));
}

BOOST_AUTO_TEST_SUITE_END()
