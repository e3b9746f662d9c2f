// The OpenAPI document against the router, and the response checker the integration tests use.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <simdjson.h>
#include <string>
#include <vector>

#include "core/suggestion_source.hpp"
#include "http/openapi_document.hpp"
#include "http/router.hpp"
#include "tests/support/openapi_contract.hpp"

using namespace foresight;
using foresight::testing::openapi_contract;
using foresight::testing::served_contract;

namespace {

// A small document of one route, to show that the checker can fail.
const char* tiny_document = R"({
  "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
  "paths": {"/things/{id}": {"get": {"responses": {
    "200": {"description": "a thing", "content": {"application/json": {"schema": {
      "$ref": "#/components/schemas/Thing"}}}},
    "404": {"$ref": "#/components/responses/NotFound"}}}}},
  "components": {
    "schemas": {
      "Thing": {"type": "object", "additionalProperties": false, "required": ["id", "tags"],
        "properties": {"id": {"type": "integer", "minimum": 1},
          "name": {"type": ["string", "null"], "maxLength": 3},
          "kind": {"enum": ["a", "b"]},
          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2}}},
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"]}}}},
    "responses": {"NotFound": {"description": "none", "content": {"application/json": {
      "schema": {"$ref": "#/components/schemas/Error"}}}}}}})";

std::string check_thing(const openapi_contract& c, const std::string& body, int status = 200,
                        const std::string& type = "application/json") {
  return c.check("GET", "/things/7?x=1", status, type, body);
}

} // namespace

BOOST_AUTO_TEST_SUITE(openapi_contract_checks)

BOOST_AUTO_TEST_CASE(every_route_is_documented_and_every_documented_route_exists) {
  auto documented = served_contract().operations();
  auto served = api_router().routes();
  for (auto& route : served)
    BOOST_TEST((std::find(documented.begin(), documented.end(), route) != documented.end()),
               route.first << " " << route.second << " is not in http/openapi.json");
  // The pages and their assets are files the server serves besides its routes.
  auto is_page = [](const std::string& path) {
    return path == "/" || path.rfind("/docs", 0) == 0 || path.rfind("/console/", 0) == 0 ||
           path.rfind("/vendor/", 0) == 0;
  };
  for (auto& op : documented)
    if (!is_page(op.second))
      BOOST_TEST((std::find(served.begin(), served.end(), op) != served.end()),
                 op.first << " " << op.second << " is documented but not served");
}

BOOST_AUTO_TEST_CASE(a_documented_response_passes) {
  openapi_contract c{tiny_document};
  BOOST_TEST(check_thing(c, R"({"id":7,"name":null,"kind":"a","tags":["x","y"]})") == "");
  BOOST_TEST(check_thing(c, R"({"id":7,"name":"abc","tags":[]})") == "");
  BOOST_TEST(check_thing(c, R"({"error":{"code":"not_found","message":"no"}})", 404) == "");
}

BOOST_AUTO_TEST_CASE(drift_in_shape_fails_with_its_place) {
  openapi_contract c{tiny_document};
  BOOST_TEST(check_thing(c, R"({"tags":[]})").find("\"id\" is missing") != std::string::npos);
  BOOST_TEST(check_thing(c, R"({"id":"7","tags":[]})").find("/id: string") != std::string::npos);
  BOOST_TEST(check_thing(c, R"({"id":0,"tags":[]})").find("minimum") != std::string::npos);
  BOOST_TEST(check_thing(c, R"({"id":7,"tags":[],"extra":1})").find("/extra") !=
             std::string::npos);
  BOOST_TEST(check_thing(c, R"({"id":7,"tags":[1]})").find("/tags/0") != std::string::npos);
  BOOST_TEST(check_thing(c, R"({"id":7,"tags":["a","b","c"]})").find("more than 2") !=
             std::string::npos);
  BOOST_TEST(check_thing(c, R"({"id":7,"tags":[],"kind":"c"})").find("not one of") !=
             std::string::npos);
  BOOST_TEST(check_thing(c, R"({"id":7,"tags":[],"name":"abcd"})").find("longer") !=
             std::string::npos);
  BOOST_TEST(check_thing(c, "not json").find("not JSON") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(undocumented_statuses_media_types_and_routes_fail) {
  openapi_contract c{tiny_document};
  BOOST_TEST(check_thing(c, R"({"id":7,"tags":[]})", 201).find("status not documented") !=
             std::string::npos);
  BOOST_TEST(check_thing(c, "a,b", 200, "text/csv").find("media type") != std::string::npos);
  BOOST_TEST(c.check("POST", "/things/7", 200, "application/json", "{}") != "");
  BOOST_TEST(c.check("GET", "/elsewhere", 200, "application/json", "{}") != "");
  // Unknown routes must still answer in the error shape.
  BOOST_TEST(c.check("GET", "/elsewhere", 404, "application/json",
                     R"({"error":{"code":"not_found","message":"no"}})") == "");
  BOOST_TEST(c.check("GET", "/elsewhere", 404, "application/json", R"({"oops":1})") != "");
}

BOOST_AUTO_TEST_SUITE_END()

// The document's `source` enum and the server's vocabulary are one list.
BOOST_AUTO_TEST_SUITE(suggestion_source_vocabulary)

BOOST_AUTO_TEST_CASE(the_documented_sources_are_the_ones_the_server_sets) {
  simdjson::dom::parser parser;
  auto doc = parser.parse(std::string(openapi_document()));
  std::vector<std::vector<std::string>> enums;
  // Every "source" property with an enum, wherever it is.
  std::function<void(simdjson::dom::element)> walk = [&](simdjson::dom::element e) {
    simdjson::dom::object obj;
    simdjson::dom::array arr;
    if (!e.get(obj)) {
      for (auto field : obj) {
        simdjson::dom::array values;
        if (field.key == "source" && !field.value["enum"].get(values)) {
          std::vector<std::string> names;
          for (auto v : values)
            names.emplace_back(std::string_view(v.get_string()));
          enums.push_back(std::move(names));
        }
        walk(field.value);
      }
    } else if (!e.get(arr)) {
      for (auto item : arr)
        walk(item);
    }
  };
  walk(doc.value());
  std::vector<std::string> ours;
  for (auto s : suggestion_sources)
    ours.emplace_back(to_string(s));
  BOOST_REQUIRE(!enums.empty());
  for (auto& e : enums)
    BOOST_TEST(e == ours, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
