#include "core/payloads.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(payloads)

BOOST_AUTO_TEST_CASE(malformed_json_is_400_and_invalid_values_are_422_with_field) {
  credentials c;
  BOOST_TEST((parse_credentials("{", c).code == error_code::bad_request));
  BOOST_TEST((parse_credentials("", c).code == error_code::bad_request));
  BOOST_TEST((parse_credentials("[]", c).code == error_code::validation_failed));
  auto e = parse_credentials(R"({"username":"a"})", c);
  BOOST_TEST((e.code == error_code::validation_failed));
  BOOST_TEST(e.field == "password");
  e = parse_credentials(R"({"username":5,"password":"x"})", c);
  BOOST_TEST(e.field == "username");
  BOOST_TEST(!parse_credentials(R"({"username":"a","password":"b"})", c));
  BOOST_TEST(c.username == "a");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_nul_are_rejected) {
  credentials c;
  BOOST_TEST((parse_credentials("{\"username\":\"\xff\",\"password\":\"x\"}", c).code ==
              error_code::validation_failed));
  auto e = parse_credentials(R"({"username":"a\u0000b","password":"x"})", c);
  BOOST_TEST((e.code == error_code::validation_failed));
  BOOST_TEST(e.field == "username");
}

BOOST_AUTO_TEST_CASE(catalogs_parse_with_defaults_and_name_each_bad_field) {
  connection_catalog cat;
  auto e = parse_catalog(R"({"name":"Sales","metrics":[{"name":"revenue","aggregation":"sum"}],
    "dimensions":[{"name":"region","display_name":"Region","type":"string"}],
    "entities":[{"name":"product"}]})", cat);
  BOOST_TEST(!e, e.message);
  BOOST_TEST(cat.metrics.size() == 1u);
  BOOST_TEST(cat.metrics[0].display_name == "revenue");
  BOOST_TEST(cat.dimensions[0].display_name == "Region");
  BOOST_TEST(cat.entities[0].name == "product");

  connection_catalog c2;
  BOOST_TEST(parse_catalog(R"({"metrics":[]})", c2).field == "name");
  connection_catalog c3;
  BOOST_TEST(parse_catalog(R"({"name":"x","metrics":[{"name":""}]})", c3).field == "metrics[0].name");
  connection_catalog c4;
  BOOST_TEST(parse_catalog(R"({"name":"x","dimensions":[{"name":"a"},{"name":"a"}]})", c4).field ==
             "dimensions[1].name");
  connection_catalog c5;
  BOOST_TEST(parse_catalog(R"({"name":"x","entities":{}})", c5).field == "entities");
  connection_catalog c6;
  BOOST_TEST(parse_catalog(R"({"name":"x","metrics":[3]})", c6).field == "metrics[0]");
}

BOOST_AUTO_TEST_CASE(new_users_need_id_password_and_role) {
  new_user u;
  auto e = parse_new_user(R"({"id":"a b","password":"12345678","role":"analyst"})", u);
  BOOST_TEST(e.field == "id");
  new_user u2;
  BOOST_TEST(parse_new_user(R"({"id":"a","password":"short","role":"analyst"})", u2).field == "password");
  new_user u3;
  BOOST_TEST(parse_new_user(R"({"id":"a","password":"12345678","role":"analyst","goals":[1]})", u3).field ==
             "goals[0]");
  new_user u4;
  e = parse_new_user(R"({"id":"a1","password":"12345678","role":"trader","goals":["x","y"],"is_admin":true})", u4);
  BOOST_TEST(!e, e.message);
  BOOST_TEST(u4.username == "a1");
  BOOST_TEST(u4.goals_json == R"(["x","y"])");
  BOOST_TEST(u4.is_admin);
}

BOOST_AUTO_TEST_CASE(identifiers) {
  BOOST_TEST(is_valid_identifier("analyst001"));
  BOOST_TEST(is_valid_identifier("my-db.v2@x_y"));
  BOOST_TEST(!is_valid_identifier(""));
  BOOST_TEST(!is_valid_identifier("a/b"));
  BOOST_TEST(!is_valid_identifier(std::string(101, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()

// -- JSONTestSuite: every must-reject file is a 400 (or 422 for bad UTF-8), never a crash; every
// -- must-accept file parses (and then fails only the payload's own rules) -------------------
#include <filesystem>
#include <fstream>
#include <sstream>

BOOST_AUTO_TEST_SUITE(payloads)

BOOST_AUTO_TEST_CASE(json_test_suite_corpus) {
  namespace fs = std::filesystem;
  auto dir = fs::path(FORESIGHT_SOURCE_DIR) / ".." / "shared" / "corpora" / "jsontestsuite";
  BOOST_REQUIRE(fs::exists(dir));
  int must_reject = 0, must_accept = 0;
  for (auto& entry : fs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (entry.path().extension() != ".json")
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    credentials c;
    auto err = parse_credentials(ss.str(), c); // any outcome is fine for i_ files: no crash
    if (name.rfind("n_", 0) == 0) {
      ++must_reject;
      BOOST_TEST((err.code == error_code::bad_request || err.code == error_code::validation_failed),
                 name);
      if (err.code == error_code::validation_failed)
        BOOST_TEST(err.message.find("UTF-8") != std::string::npos, name << ": " << err.message);
    } else if (name.rfind("y_", 0) == 0) {
      ++must_accept;
      // Valid JSON is never called malformed; it fails the credentials rules instead (422).
      BOOST_TEST((err.code == error_code::validation_failed), name << ": " << err.message);
    }
  }
  BOOST_TEST(must_reject >= 180);
  BOOST_TEST(must_accept >= 90);
}

BOOST_AUTO_TEST_SUITE_END()
