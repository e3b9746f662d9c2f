#include "core/activity_import.hpp"

#include <boost/test/unit_test.hpp>
#include <map>

using namespace foresight;

namespace {

std::string line(const std::string& user, const std::string& type, const std::string& at,
                 const std::string& rest = "") {
  return R"({"user_id":")" + user + R"(","activity_type":")" + type + R"(","created_at":")" + at +
         "\"" + rest + "}";
}

import_run::find_user_fn users(std::map<std::string, std::string> roles) {
  return [roles](const std::string& id, user_profile& out) {
    auto i = roles.find(id);
    if (i == roles.end())
      return false;
    out.id = id;
    out.role = i->second;
    out.department = "Dept";
    out.goals_json = R"(["g"])";
    return true;
  };
}

} // namespace

BOOST_AUTO_TEST_SUITE(activity_import)

BOOST_AUTO_TEST_CASE(lines_are_validated_counted_and_sorted_by_time) {
  std::string body =
    line("a", "query", "2026-01-05T09:00:00Z", R"(,"query_text":"third")") + "\n" +
    "\n" +                                             // blank: skipped, still numbered
    line("a", "query", "2026-01-05T07:00:00Z", R"(,"query_text":"first")") + "\r\n" +
    "not json\n" +
    line("a", "query", "yesterday", R"(,"query_text":"x")") + "\n" +
    line("b", "query", "2026-01-05T08:00:00+01:00", R"(,"query_text":"second, same instant")") +
    "\n" + line("a", "query", "2026-01-05T07:00:00Z", R"(,"query_text":"second")") + "\n   \n";
  import_report report;
  auto lines = parse_import(body, 8192, report);
  BOOST_TEST(report.lines == 6);
  BOOST_TEST(report.rejected == 2);
  BOOST_TEST_REQUIRE(report.errors.size() == 2u);
  BOOST_TEST(report.errors[0].line == 4);
  BOOST_TEST(report.errors[0].code == "malformed");
  BOOST_TEST(report.errors[1].line == 5);
  BOOST_TEST(report.errors[1].code == "invalid");
  BOOST_TEST(report.errors[1].field == "created_at");
  BOOST_TEST_REQUIRE(lines.size() == 4u);
  BOOST_TEST(lines[0].row.query_text == "first");
  BOOST_TEST(lines[0].line == 3);
  BOOST_TEST(lines[1].row.query_text == "second, same instant"); // stable: file order
  BOOST_TEST(lines[1].row.created_at == "2026-01-05T07:00:00Z");
  BOOST_TEST(lines[2].row.query_text == "second");
  BOOST_TEST(lines[3].row.query_text == "third");
}

BOOST_AUTO_TEST_CASE(keys_come_from_key_then_id_then_content) {
  activity_row row;
  row.user_id = "a";
  row.activity_type = "query";
  row.created_at = "2026-01-05T09:14:00Z";
  row.query_text = "q";
  row.has_query_text = true;
  import_line_extras x;
  auto by_content = import_key(row, x);
  BOOST_TEST(by_content.rfind("import:h:", 0) == 0u);
  BOOST_TEST(by_content.size() <= 100u);
  BOOST_TEST(import_key(row, x) == by_content); // deterministic
  auto other = row;
  other.created_at = "2026-01-05T09:14:01Z";
  BOOST_TEST(import_key(other, x) != by_content);
  other = row;
  other.query_text = "";
  other.has_query_text = false;
  BOOST_TEST(import_key(other, x) != import_key(row, x)); // null text differs from ""
  x.id = "42";
  BOOST_TEST(import_key(row, x) == "import:id:42");
  x.id = std::string(200, 'z');
  BOOST_TEST(import_key(row, x).rfind("import:id#", 0) == 0u);
  BOOST_TEST(import_key(row, x).size() <= 100u);
  x.key = "k-1";
  BOOST_TEST(import_key(row, x) == "import:k-1");
}

BOOST_AUTO_TEST_CASE(unknown_users_are_rejected_and_roles_enriched) {
  std::string body = line("a", "query", "2026-01-05T09:00:00Z", R"(,"query_text":"q1")") + "\n" +
                     line("ghost", "query", "2026-01-05T09:01:00Z", R"(,"query_text":"q2")") +
                     "\n" +
                     line("a", "query", "2026-01-05T09:02:00Z",
                          R"(,"query_text":"q3","metadata":{"role":"cfo","connection_id":"s"})");
  import_report report;
  import_run run{parse_import(body, 8192, report), report};
  run.resolve_users(users({{"a", "analyst"}}));
  auto chunk = run.next_chunk(10);
  BOOST_TEST_REQUIRE(chunk.rows.size() == 2u);
  BOOST_TEST(chunk.rows[0].role == "analyst");
  BOOST_TEST(chunk.rows[0].metadata_json ==
             R"({"role":"analyst","department":"Dept","goals":["g"]})");
  BOOST_TEST(chunk.rows[1].role == "cfo");
  BOOST_TEST(chunk.rows[1].metadata_json ==
             R"({"role":"cfo","department":"Dept","goals":["g"],"connection_id":"s"})");
  run.stored({{1, "query", false, {}, false}, {2, "query", true, {}, false}});
  BOOST_TEST(run.finished());
  auto r = run.take_report();
  BOOST_TEST(r.imported == 1);
  BOOST_TEST(r.duplicates == 1);
  BOOST_TEST(r.rejected == 1);
  BOOST_TEST(r.lines == 3);
  BOOST_TEST_REQUIRE(r.errors.size() == 1u);
  BOOST_TEST(r.errors[0].line == 2);
  BOOST_TEST(r.errors[0].code == "unknown_user");
  BOOST_TEST(import_report_json(r) ==
             R"({"imported":1,"duplicates":1,"rejected":1,"lines":3,"errors":[{"line":2,)"
             R"("error":{"code":"unknown_user","message":"no user 'ghost'","field":"user_id"}}]})");
}

BOOST_AUTO_TEST_CASE(a_line_the_database_refused_is_rejected_and_its_chunk_mates_count) {
  std::string body = line("a", "query", "2026-01-05T09:00:00Z", R"(,"query_text":"q1")") + "\n" +
                     line("a", "query", "2026-01-05T09:01:00Z", R"(,"query_text":"q2")");
  import_report report;
  import_run run{parse_import(body, 8192, report), report};
  run.resolve_users(users({{"a", "analyst"}}));
  BOOST_TEST_REQUIRE(run.next_chunk(10).rows.size() == 2u);
  run.stored({{0, "query", false, "the database refused this activity (SQLSTATE 23514)", false},
              {2, "query", false, {}, false}});
  auto r = run.take_report();
  BOOST_TEST(r.imported == 1);
  BOOST_TEST(r.rejected == 1);
  BOOST_TEST_REQUIRE(r.errors.size() == 1u);
  BOOST_TEST(r.errors[0].line == 1);
  BOOST_TEST(r.errors[0].code == "not_stored");
}

BOOST_AUTO_TEST_CASE(feedback_rates_its_query_with_our_id_and_chunks_wait_for_it) {
  std::string body =
    line("a", "query", "2026-01-05T09:00:00Z", R"(,"id":"q-1","query_text":"q1")") + "\n" +
    line("a", "query", "2026-01-05T09:01:00Z", R"(,"id":"q-2","query_text":"q2")") + "\n" +
    line("a", "feedback", "2026-01-05T09:02:00Z",
         R"(,"feedback_rating":5,"metadata":{"activity_id":"q-1"})") + "\n" +
    line("a", "feedback", "2026-01-05T09:03:00Z", R"(,"feedback_rating":2)") + "\n" +
    line("a", "feedback", "2026-01-05T09:04:00Z",
         R"(,"feedback_rating":3,"metadata":{"activity_id":999})");
  import_report report;
  import_run run{parse_import(body, 8192, report), report};
  run.resolve_users(users({{"a", "analyst"}}));
  auto first = run.next_chunk(100);
  BOOST_TEST(first.rows.size() == 2u); // the feedback waits for its query's id
  run.stored({{101, "query", false, {}, false}, {102, "query", false, {}, false}});
  auto second = run.next_chunk(100);
  BOOST_TEST_REQUIRE(second.rows.size() == 3u);
  BOOST_TEST(second.rows[0].rated_activity_id == 101);
  BOOST_TEST(second.rows[0].metadata_json.find(R"("source_activity_id":"q-1")") !=
             std::string::npos);
  BOOST_TEST(second.rows[0].metadata_json.find(R"("activity_id":101)") != std::string::npos);
  BOOST_TEST(second.rows[1].rated_activity_id == 102); // no id named: the latest query before
  BOOST_TEST(second.rows[2].rated_activity_id == 0);   // names a line that is not in the file
  run.failed(make_error(error_code::unavailable, "down"));
  BOOST_TEST(run.finished());
  auto r = run.take_report();
  BOOST_TEST(r.imported == 2);
  BOOST_TEST(r.rejected == 3);
  BOOST_TEST(r.errors.at(0).code == "not_stored");
}

BOOST_AUTO_TEST_CASE(errors_are_capped_but_counted) {
  std::string body;
  for (int i = 0; i < 1500; ++i)
    body += "{}\n";
  import_report report;
  import_run run{parse_import(body, 8192, report), report};
  run.resolve_users(users({}));
  BOOST_TEST(run.next_chunk(10).rows.empty());
  BOOST_TEST(run.finished());
  auto r = run.take_report();
  BOOST_TEST(r.rejected == 1500);
  BOOST_TEST(r.errors.size() == max_import_errors);
  BOOST_TEST(r.errors.back().line == 1000);
}

BOOST_AUTO_TEST_SUITE_END()
