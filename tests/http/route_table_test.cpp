#include "http/routes/route_table.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

// Part of the router suite: the dispatch table and the router must name the same routes.
BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(every_route_has_one_table_entry_with_a_handler) {
  for (auto& [method, pattern] : api_router().routes()) {
    auto m = api_router().resolve(method, pattern);
    BOOST_TEST_REQUIRE(m.kind == routing_result::found, method << " " << pattern);
    auto* spec = find_route(m.id);
    BOOST_TEST_REQUIRE(spec != nullptr, method << " " << pattern);
    BOOST_TEST((spec->id == m.id));
    BOOST_TEST(spec->handler != nullptr);
    // Only health, readiness, metrics, the document and the login are open.
    bool open = pattern.rfind("/api/v1/", 0) != 0 || pattern == "/api/v1/auth/token";
    BOOST_TEST((spec->access == (open ? route_access::open : route_access::user)),
               method << " " << pattern);
    // A connection id check reads path parameter 0.
    if (spec->connection_id_param)
      BOOST_TEST(pattern.find("{connection_id}") != std::string::npos, pattern);
  }
}

BOOST_AUTO_TEST_CASE(the_cluster_route_takes_a_token_and_a_query) {
  auto m = api_router().resolve("GET", "/api/v1/cluster?user=u1");
  BOOST_TEST_REQUIRE(m.kind == routing_result::found);
  BOOST_TEST((m.id == route_id::cluster));
  auto* spec = find_route(route_id::cluster);
  BOOST_TEST_REQUIRE(spec != nullptr);
  BOOST_TEST((spec->access == route_access::user));
  BOOST_TEST(spec->query);
  BOOST_TEST(!spec->connection_id_param);
  BOOST_TEST((spec->body == body_rule::none));
  BOOST_TEST(api_router().resolve("POST", "/api/v1/cluster").allow == "GET");
}

BOOST_AUTO_TEST_SUITE_END()
