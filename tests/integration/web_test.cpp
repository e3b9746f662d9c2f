// The pages foresightd serves besides its API: the console at /, the API reference at /docs,
// and the contract at /openapi.json, with the headers a browser relies on.
#include <boost/test/unit_test.hpp>

#include <string>

#include "http/openapi_document.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/json_assert.hpp"
#include "tests/integration/server_process.hpp"

using namespace foresight::testing;

BOOST_AUTO_TEST_SUITE(web_pages)

BOOST_AUTO_TEST_CASE(the_console_and_its_assets_come_with_a_strict_policy_and_revalidate) {
  server_process srv{serve_args(fresh_database())};
  auto page = request(srv.port(), "GET", "/");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(page.header("content-type") == "text/html; charset=utf-8");
  BOOST_TEST(page.body.find("<!doctype html>") == 0u, page.body.substr(0, 100));
  auto csp = page.header("content-security-policy");
  BOOST_TEST(csp.find("script-src 'self';") != std::string::npos, csp);
  BOOST_TEST(csp.find("unsafe-inline") == std::string::npos, csp);
  BOOST_TEST(csp.find("frame-ancestors 'none'") != std::string::npos, csp);
  BOOST_TEST(page.header("x-content-type-options") == "nosniff");
  BOOST_TEST(page.header("cache-control") == "no-cache");
  auto etag = page.header("etag");
  BOOST_REQUIRE(etag.size() > 2u);
  auto again = request(srv.port(), "GET", "/", "", "", {{"If-None-Match", etag}});
  BOOST_TEST(again.status == 304);
  BOOST_TEST(again.body.empty());
  BOOST_TEST(request(srv.port(), "GET", "/", "", "", {{"If-None-Match", "\"old\""}}).status ==
             200);

  auto chart = request(srv.port(), "GET", "/vendor/chart.umd.min.js");
  BOOST_TEST(chart.status == 200);
  BOOST_TEST(chart.header("content-type") == "text/javascript; charset=utf-8");
  BOOST_TEST(chart.body.size() > 100000u);
  // Only the files the build put there, and only by GET.
  BOOST_TEST(request(srv.port(), "GET", "/console/../../etc/passwd").status == 404);
  BOOST_TEST(request(srv.port(), "GET", "/console/nothing-here.js").status == 404);
  auto post = request(srv.port(), "POST", "/", "{}");
  BOOST_TEST(post.status == 405);
  BOOST_TEST(post.header("allow") == "GET");
}

BOOST_AUTO_TEST_CASE(the_reference_page_loads_swagger_ui_over_the_served_contract) {
  server_process srv{serve_args(fresh_database())};
  auto docs = request(srv.port(), "GET", "/docs");
  BOOST_TEST(docs.status == 200);
  BOOST_TEST(docs.header("content-type") == "text/html; charset=utf-8");
  BOOST_TEST(docs.body.find("/docs/swagger-ui-bundle.js") != std::string::npos);
  BOOST_TEST(request(srv.port(), "GET", "/docs/swagger-ui-bundle.js").status == 200);
  BOOST_TEST(request(srv.port(), "GET", "/docs/init.js").body.find("/openapi.json") !=
             std::string::npos);

  auto contract = request(srv.port(), "GET", "/openapi.json");
  BOOST_TEST(contract.status == 200);
  BOOST_TEST(contract.header("content-type") == "application/json");
  BOOST_TEST(contract.body == std::string(foresight::openapi_document()));
  BOOST_TEST(json_at(contract.body, "/openapi") == "3.1.0");
}

BOOST_AUTO_TEST_CASE(without_a_web_root_the_api_still_works_and_pages_are_404) {
  server_process srv{serve_args(fresh_database(), {"--web-root", "/nonexistent"})};
  BOOST_TEST(request(srv.port(), "GET", "/").status == 404);
  BOOST_TEST(request(srv.port(), "GET", "/healthz").status == 200);
  BOOST_TEST(request(srv.port(), "GET", "/openapi.json").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
