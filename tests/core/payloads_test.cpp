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

// Invalid UTF-8 is malformed JSON (400, issue 14 item 11); NUL is valid JSON but refused (422).
BOOST_AUTO_TEST_CASE(invalid_utf8_and_nul_are_rejected) {
  credentials c;
  BOOST_TEST((parse_credentials("{\"username\":\"\xff\",\"password\":\"x\"}", c).code ==
              error_code::bad_request));
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

// -- JSONTestSuite: every must-reject file is a 400 (invalid UTF-8 too), never a crash; every
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
      BOOST_TEST((err.code == error_code::bad_request), name << ": " << err.message);
    } else if (name.rfind("y_", 0) == 0) {
      ++must_accept;
      // Valid JSON is never called malformed; it fails the credentials rules instead (422).
      BOOST_TEST((err.code == error_code::validation_failed), name << ": " << err.message);
    }
  }
  BOOST_TEST(must_reject >= 180);
  BOOST_TEST(must_accept >= 90);
}

BOOST_AUTO_TEST_CASE(created_at_is_refused_accepted_or_required) {
  auto body = R"({"activity_type":"query","query_text":"q","created_at":"2026-01-05T10:14:00+01:00"})";
  activity_row refused;
  auto e = parse_activity(body, 8192, refused);
  BOOST_TEST(e.field == "created_at");
  BOOST_TEST(e.message.find("--replay-clock") != std::string::npos);
  activity_row accepted;
  BOOST_TEST(!parse_activity(body, 8192, accepted, created_at_rule::accept));
  BOOST_TEST(accepted.created_at == "2026-01-05T09:14:00Z");
  activity_row fraction;
  BOOST_TEST(!parse_activity(R"({"activity_type":"query","query_text":"q","created_at":"2026-01-05T09:14:00.25Z"})",
                             8192, fraction, created_at_rule::accept));
  BOOST_TEST(fraction.created_at == "2026-01-05T09:14:00.250Z");
  activity_row garbage;
  e = parse_activity(R"({"activity_type":"query","query_text":"q","created_at":"yesterday"})", 8192,
                     garbage, created_at_rule::accept);
  BOOST_TEST(e.field == "created_at");
  activity_row missing;
  BOOST_TEST(!parse_activity(R"({"activity_type":"query","query_text":"q"})", 8192, missing,
                             created_at_rule::accept));
  BOOST_TEST(missing.created_at.empty());
  BOOST_TEST(parse_activity(R"({"activity_type":"query","query_text":"q"})", 8192, missing,
                            created_at_rule::require).field == "created_at");
}

// PostgreSQL stores no NUL in JSONB: one in a nested value or key must be refused up front,
// naming where it is, or its row would fail the whole group commit.
BOOST_AUTO_TEST_CASE(a_nul_anywhere_in_an_activity_is_refused_with_its_path) {
  struct {
    const char* body;
    const char* field;
  } cases[] = {
    {R"({"activity_type":"query","query_text":"q","metadata":{"note":"a\u0000b"}})",
     "metadata.note"},
    {R"({"activity_type":"query","query_text":"q","metadata":{"a\u0000":1}})", "metadata (a key)"},
    {R"({"activity_type":"query","query_text":"q","response_data":{"rows":[["x","\u0000"]]}})",
     "response_data.rows[0][1]"},
    {R"({"activity_type":"query","query_text":"q","ignored":{"deep":["\u0000"]}})",
     "ignored.deep[0]"},
    {R"({"activity_type":"query","query_text":"q","\u0000":1})", "(a key)"},
  };
  for (auto& c : cases) {
    activity_row row;
    auto e = parse_activity(c.body, 8192, row);
    BOOST_TEST((e.code == error_code::validation_failed), c.body);
    BOOST_TEST(e.field == c.field, c.body);
  }
  activity_row fine;
  BOOST_TEST(!parse_activity(R"({"activity_type":"query","query_text":"q",
    "metadata":{"note":"\\u0000 spelled out"},"response_data":{"rows":[["x",null,1.5]]}})", 8192,
                             fine));
}

BOOST_AUTO_TEST_CASE(import_lines_take_user_key_id_and_the_metadata_role) {
  activity_row row;
  import_line_extras x;
  auto e = parse_import_line(R"({"id":17,"user_id":"a001","activity_type":"feedback",
    "feedback_rating":4,"created_at":"2026-01-05T09:14:00Z","role":"ignored",
    "metadata":{"connection_id":"sales","role":"analyst","department":"X","activity_id":12}})",
                             8192, row, x);
  BOOST_TEST(!e, e.message);
  BOOST_TEST(row.user_id == "a001");
  BOOST_TEST(row.connection_id == "sales");
  BOOST_TEST(row.rated_activity_id == 0); // an id of the source system, not ours
  BOOST_TEST(x.id == "17");
  BOOST_TEST(x.key.empty());
  BOOST_TEST(x.metadata_role == "analyst");
  BOOST_TEST(x.rated_source_id == "12");
  BOOST_TEST(row.metadata_json == R"({"connection_id":"sales","source_activity_id":12})");

  activity_row r2;
  import_line_extras x2;
  BOOST_TEST(!parse_import_line(R"({"id":"abc-1","key":"k-1","user_id":"u","activity_type":"chat",
    "query_text":"hi","created_at":"2026-01-05T09:14:00Z"})", 8192, r2, x2));
  BOOST_TEST(x2.id == "abc-1");
  BOOST_TEST(x2.key == "k-1");

  auto field_of = [](std::string_view line) {
    activity_row r;
    import_line_extras ex;
    return parse_import_line(line, 8192, r, ex).field;
  };
  BOOST_TEST(field_of(R"({"activity_type":"chat","query_text":"x","created_at":"2026-01-05T09:14:00Z"})") == "user_id");
  BOOST_TEST(field_of(R"({"user_id":"a b","activity_type":"chat","query_text":"x","created_at":"2026-01-05T09:14:00Z"})") == "user_id");
  BOOST_TEST(field_of(R"({"user_id":"u","activity_type":"chat","query_text":"x"})") == "created_at");
  BOOST_TEST(field_of(R"({"user_id":"u","activity_type":"chat","query_text":"x","created_at":"2026-01-05"})") == "created_at");
  BOOST_TEST(field_of(R"({"user_id":"u","activity_type":"nap","created_at":"2026-01-05T09:14:00Z"})") == "activity_type");
  BOOST_TEST(field_of(R"({"user_id":"u","activity_type":"chat","query_text":"a\u0000b","created_at":"2026-01-05T09:14:00Z"})") == "query_text");
  BOOST_TEST(field_of(R"({"user_id":"u","activity_type":"chat","query_text":"x","created_at":"2026-01-05T09:14:00Z","key":"has space"})") == "key");
  BOOST_TEST(field_of(R"({"user_id":"u","activity_type":"chat","query_text":"x","created_at":"2026-01-05T09:14:00Z","metadata":{"role":5}})") == "metadata.role");
}

BOOST_AUTO_TEST_CASE(as_of_needs_the_replay_clock_and_is_normalised) {
  suggestion_request off;
  BOOST_TEST(parse_suggestion_request({{"as_of", "2026-01-05T09:14:00Z"}}, "", off).field == "as_of");
  suggestion_request on;
  BOOST_TEST(!parse_suggestion_request({{"as_of", "2026-01-05T10:14:00.7+01:00"}}, "", on, true));
  BOOST_TEST(on.as_of == "2026-01-05T09:14:00Z");
  suggestion_request bad;
  BOOST_TEST(parse_suggestion_request({{"as_of", "2026-01-05"}}, "", bad, true).field == "as_of");
  suggestion_request none;
  BOOST_TEST(!parse_suggestion_request({{"partial_query", "x"}}, "", none));
  BOOST_TEST(none.as_of.empty());
}

BOOST_AUTO_TEST_SUITE_END()
