// History import (POST /api/v1/activity/import and `foresightd import`), the replay clock
// (--replay-clock: created_at on /log, as_of on suggestions) and `foresightd catalog infer`.
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "core/json_writer.hpp"
#include "core/timestamp.hpp"
#include "tests/integration/db_helpers.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/json_assert.hpp"
#include "tests/integration/server_process.hpp"

using namespace foresight;
using namespace foresight::testing;

namespace {

const std::map<std::string, std::string> ndjson = {{"Content-Type", "application/x-ndjson"}};

struct import_env {
  std::string db = fresh_database();
  import_env() {
    add_user(db, "admin", "admin", true);
    for (int i = 0; i < 10; ++i)
      add_user(db, "u" + std::to_string(i), i % 2 ? "trader" : "analyst", false);
  }
};

http_reply import_body(std::uint16_t port, const std::string& body,
                       const std::string& user = "admin") {
  return request(port, "POST", "/api/v1/activity/import", body, token_for(user), ndjson);
}

std::string quoted(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

/// 2025-06-01T00:00:00Z plus `minutes`.
std::string minute_iso(int minutes) {
  std::int64_t base = 0;
  parse_iso8601("2025-06-01T00:00:00Z", base);
  return format_iso8601(base + 60LL * minutes);
}

/// Line i of the generated history: user u(i % 10), time 2025-06-01 + i minutes (i is also the
/// row_count of its response), written
/// newest first; a third carry a key, a third an id, a third neither (content-hash keys).
std::string generated_line(int i) {
  std::string user = "u" + std::to_string(i % 10);
  std::string out = R"({"user_id":")" + user + R"(","activity_type":")" +
                    (i % 7 == 0 ? "chat" : "query") + R"(","query_text":)" +
                    quoted("Top " + std::to_string(i % 50 + 1) + " products by revenue") +
                    R"(,"created_at":")" + minute_iso(i) +
                    R"(","response_data":{"data":[],"metadata":{"row_count":)" + std::to_string(i) +
                    R"(}},)" +
                    R"("metadata":{"connection_id":"sales"})";
  if (i % 3 == 0)
    out += R"(,"key":"k-)" + std::to_string(i) + "\"";
  else if (i % 3 == 1)
    out += R"(,"id":)" + std::to_string(i);
  return out + "}";
}

} // namespace

BOOST_AUTO_TEST_SUITE(activity_import)

BOOST_AUTO_TEST_CASE(ten_thousand_lines_keep_their_times_and_a_second_import_adds_nothing) {
  import_env env;
  server_process srv{serve_args(env.db)};
  auto p = srv.port();
  constexpr int n = 10000;
  std::string body;
  int line = 0;
  std::map<int, std::string> bad; // line number -> field
  for (int i = n - 1; i >= 0; --i) {
    body += generated_line(i) + "\n";
    ++line;
    // Bad lines among the good ones, each rejected on its own.
    if (line == 5) {
      body += R"({"user_id":"ghost","activity_type":"query","query_text":"x","created_at":"2025-06-01T00:00:00Z"})"
              "\n";
      bad[++line] = "user_id";
    } else if (line == 18) {
      body += R"({"user_id":"u1","activity_type":"query","query_text":"x","created_at":"01/06/2025 10:00"})"
              "\n";
      bad[++line] = "created_at";
    } else if (line == 31) {
      body += R"({"user_id":"u1","activity_type":"nap","created_at":"2025-06-01T00:00:00Z"})"
              "\n";
      bad[++line] = "activity_type";
    } else if (line == 44) {
      body += R"({"user_id":"u1","activity_type":"query","query_text":"a\u0000b","created_at":"2025-06-01T00:00:00Z"})"
              "\n";
      bad[++line] = "query_text";
    } else if (line == 57) {
      body += "\n"; // blank lines are skipped (but counted in line numbers)
      ++line;
      body += "this is not json\n";
      bad[++line] = "";
    }
  }
  auto r = import_body(p, body);
  BOOST_TEST_REQUIRE(r.status == 200, r.status << " " << r.body.substr(0, 500));
  BOOST_TEST(json_at(r.body, "/imported") == std::to_string(n));
  BOOST_TEST(json_at(r.body, "/duplicates") == "0");
  BOOST_TEST(json_at(r.body, "/rejected") == "5");
  BOOST_TEST(json_at(r.body, "/lines") == std::to_string(n + 5));
  int k = 0;
  for (auto& [number, field] : bad) {
    auto at = "/errors/" + std::to_string(k++);
    BOOST_TEST(json_at(r.body, at + "/line") == std::to_string(number), r.body);
    if (!field.empty())
      BOOST_TEST(json_at(r.body, at + "/error/field") == field, r.body);
    else
      BOOST_TEST(json_at(r.body, at + "/error/code") == "malformed", r.body);
  }
  BOOST_TEST(json_at(r.body, "/errors/0/error/code") == "unknown_user");
  BOOST_TEST(json_at(r.body, "/errors/1/error/code") == "invalid");

  // Every row kept its own time, and ids follow time order.
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity") == n);
  BOOST_TEST(scalar(env.db,
                    "SELECT count(*) FROM user_activity WHERE created_at = timestamp '2025-06-01'"
                    " + ((response_data->'metadata'->>'row_count')::int * interval '1 minute')") ==
             n);
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM (SELECT created_at, lag(created_at) OVER"
                            " (ORDER BY id) AS before FROM user_activity) x"
                            " WHERE before > created_at") == 0);
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity WHERE idempotency_key NOT LIKE"
                            " 'import:%'") == 0);
  // The planner's statistics know the new rows (stale ones made per-user reads run for minutes).
  BOOST_TEST(scalar(env.db, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'user_activity'") ==
             n);
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity WHERE metadata->>'role' ="
                            " 'trader' AND metadata->>'department' = 'Test'") == n / 2);
  // ... and the history route shows it: u9's newest is line 9999's.
  auto h = request(p, "GET", "/api/v1/activity/history?limit=1", "", token_for("u9"));
  BOOST_TEST(json_at(h.body, "/activities/0/created_at") == minute_iso(n - 1).substr(0, 19) + ".000Z",
             h.body);

  // The same file again stores nothing: every key (given, from the id, or from the content)
  // is known.
  auto again = import_body(p, body);
  BOOST_TEST_REQUIRE(again.status == 200, again.body.substr(0, 500));
  BOOST_TEST(json_at(again.body, "/imported") == "0");
  BOOST_TEST(json_at(again.body, "/duplicates") == std::to_string(n));
  BOOST_TEST(json_at(again.body, "/rejected") == "5");
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity") == n);
}

BOOST_AUTO_TEST_CASE(only_admins_import_and_the_body_is_checked) {
  import_env env;
  server_process srv{serve_args(env.db, {"--max-import-bytes", "4096"})};
  auto p = srv.port();
  auto line = generated_line(1) + "\n";
  auto no_token = request(p, "POST", "/api/v1/activity/import", line, "", ndjson);
  BOOST_TEST(no_token.status == 401);
  auto analyst = import_body(p, line, "u0");
  BOOST_TEST(analyst.status == 403, analyst.body);
  BOOST_TEST(json_at(analyst.body, "/error/code") == "forbidden");
  auto gone = import_body(p, line, "nobody");
  BOOST_TEST(gone.status == 401, gone.body);
  auto xml = request(p, "POST", "/api/v1/activity/import", line, token_for("admin"),
                     {{"Content-Type", "application/xml"}});
  BOOST_TEST(xml.status == 415);
  auto empty = request(p, "POST", "/api/v1/activity/import", "", token_for("admin"), ndjson);
  BOOST_TEST(empty.status == 422, empty.body);
  BOOST_TEST(json_at(empty.body, "/error/field") == "body");
  auto blank = import_body(p, "\n\n  \n");
  BOOST_TEST(blank.status == 422, blank.body);
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity") == 0);
  // text/plain and application/json work too.
  auto plain = request(p, "POST", "/api/v1/activity/import", line, token_for("admin"),
                       {{"Content-Type", "text/plain; charset=utf-8"}});
  BOOST_TEST(json_at(plain.body, "/imported") == "1", plain.body);
  auto json = request(p, "POST", "/api/v1/activity/import", generated_line(2) + "\n",
                      token_for("admin"), {{"Content-Type", "application/json"}});
  BOOST_TEST(json_at(json.body, "/imported") == "1", json.body);
  // Its own body limit: above it 413, while other routes keep theirs.
  std::string big;
  for (int i = 10; big.size() <= 4096; ++i)
    big += generated_line(i) + "\n";
  BOOST_TEST(import_body(p, big).status == 413);
  std::string fits;
  for (int i = 10; fits.size() + 400 < 4096; ++i)
    fits += generated_line(i) + "\n";
  BOOST_TEST(fits.size() > 2048u);
  BOOST_TEST(import_body(p, fits).status == 200);
}

BOOST_AUTO_TEST_CASE(learners_see_imported_queries_with_their_times_and_ratings) {
  import_env env;
  server_process srv{
    serve_args(env.db, {"--pattern-flush-ms", "50", "--pattern-count-flush-ms", "50"})};
  auto p = srv.port();
  std::string body;
  for (int d = 0; d < 3; ++d)
    body += R"({"id":"q)" + std::to_string(d) +
            R"(","user_id":"u0","activity_type":"query","query_text":"Top 10 stocks by volume",)"
            R"("created_at":"2026-01-0)" + std::to_string(d + 1) +
            R"(T09:00:00+01:00","response_data":{"data":[1],"metadata":{"execution_time_ms":500}},)"
            R"("metadata":{"role":"quant"}})" "\n";
  body += R"({"user_id":"u0","activity_type":"feedback","feedback_rating":5,)"
          R"("created_at":"2026-01-03T09:30:00Z","metadata":{"activity_id":"q1"}})" "\n";
  auto r = import_body(p, body);
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  BOOST_TEST(json_at(r.body, "/imported") == "4");
  // The line's metadata.role wins over the user's; the rating names the row q1 became.
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity WHERE metadata->>'role' = 'quant'") == 3);
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity WHERE metadata->>'role' = 'analyst'") == 1);
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity f JOIN user_activity q ON"
                            " (f.metadata->>'activity_id')::int = q.id WHERE f.activity_type ="
                            " 'feedback' AND q.idempotency_key = 'import:id:q1'") == 1);
  wait_for(env.db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'user_specific'"
                   " AND target_id = 'u0'", 3);
  wait_for(env.db, "SELECT sum((metadata->>'ratings')::int) FROM query_patterns WHERE"
                   " pattern_type = 'user_specific' AND target_id = 'u0'", 1);
  auto pat = request(p, "GET", "/api/v1/activity/patterns", "", token_for("u0"));
  BOOST_TEST(pat.status == 200, pat.body);
  BOOST_TEST(json_at(pat.body, "/user_patterns/0/query_template") == "top {N} {entity} by {metric}",
             pat.body);
  BOOST_TEST(json_at(pat.body, "/user_patterns/0/frequency") == "3");
  // The learners saw the stored times: last used at the newest import, not now.
  BOOST_TEST(json_at(pat.body, "/user_patterns/0/last_used").substr(0, 19) == "2026-01-03T08:00:00",
             pat.body);
}

BOOST_AUTO_TEST_CASE(the_command_line_import_is_idempotent_and_reports_the_same) {
  import_env env;
  char path[] = "/tmp/foresight-import-XXXXXX";
  int fd = mkstemp(path);
  BOOST_TEST_REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream out(path);
    for (int i = 0; i < 300; ++i)
      out << generated_line(i) << "\n";
    out << R"({"user_id":"ghost","activity_type":"query","query_text":"x","created_at":"2025-06-01T00:00:00Z"})"
        << "\n";
  }
  server_process first{{"import", path, "--database-url", env.db}};
  BOOST_TEST(first.wait() == 0, first.output());
  auto report = first.output();
  BOOST_TEST(json_at(report, "/imported") == "300", report);
  BOOST_TEST(json_at(report, "/rejected") == "1", report);
  BOOST_TEST(json_at(report, "/errors/0/line") == "301", report);
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity WHERE created_at = timestamp"
                            " '2025-06-01 00:05:00'") == 1);
  server_process second{{"import", path, "--database-url", env.db}};
  BOOST_TEST(second.wait() == 0, second.output());
  BOOST_TEST(json_at(second.output(), "/imported") == "0", second.output());
  BOOST_TEST(json_at(second.output(), "/duplicates") == "300", second.output());
  // The route and the command share keys: importing the same file over HTTP adds nothing.
  server_process srv{serve_args(env.db)};
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = import_body(srv.port(), ss.str());
  BOOST_TEST(json_at(r.body, "/duplicates") == "300", r.body);
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity") == 300);

  server_process infer{{"catalog", "infer", path}};
  BOOST_TEST(infer.wait() == 0, infer.output());
  BOOST_TEST(json_at(infer.output(), "/metrics/0/name") == "revenue", infer.output());
  BOOST_TEST(json_at(infer.output(), "/entities/0/name") == "product", infer.output());
  std::remove(path);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(replay_clock)

BOOST_AUTO_TEST_CASE(created_at_and_as_of_need_the_flag) {
  import_env env;
  server_process srv{serve_args(env.db)};
  auto p = srv.port();
  auto log = request(p, "POST", "/api/v1/activity/log",
                     R"({"activity_type":"query","query_text":"q","created_at":"2026-01-05T09:14:00Z"})",
                     token_for("u0"));
  BOOST_TEST(log.status == 422, log.body);
  BOOST_TEST(json_at(log.body, "/error/field") == "created_at");
  BOOST_TEST(json_at(log.body, "/error/message").find("/api/v1/activity/import") !=
             std::string::npos);
  auto as_of = request(p, "POST",
                       "/api/v1/connections/sales/suggestions/personalized?partial_query=top&as_of="
                       "2026-01-05T09:14:00Z",
                       "", token_for("u0"));
  BOOST_TEST(as_of.status == 422, as_of.body);
  BOOST_TEST(json_at(as_of.body, "/error/field") == "as_of");
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity") == 0);
}

BOOST_AUTO_TEST_CASE(with_the_flag_created_at_is_stored_and_as_of_accepted) {
  import_env env;
  server_process srv{serve_args(env.db, {"--replay-clock"})};
  auto p = srv.port();
  auto log = request(p, "POST", "/api/v1/activity/log",
                     R"({"activity_type":"query","query_text":"q","created_at":"2026-01-05T10:14:00+01:00"})",
                     token_for("u0"));
  BOOST_TEST(log.status == 200, log.body);
  auto h = request(p, "GET", "/api/v1/activity/history", "", token_for("u0"));
  BOOST_TEST(json_at(h.body, "/activities/0/created_at") == "2026-01-05T09:14:00.000Z", h.body);
  auto now = request(p, "POST", "/api/v1/activity/log",
                     R"({"activity_type":"query","query_text":"q2"})", token_for("u0"));
  BOOST_TEST(now.status == 200);
  BOOST_TEST(scalar(env.db, "SELECT count(*) FROM user_activity WHERE created_at > now() -"
                            " interval '1 hour'") == 1);
  auto garbage = request(p, "POST", "/api/v1/activity/log",
                         R"({"activity_type":"query","query_text":"q","created_at":"last tuesday"})",
                         token_for("u0"));
  BOOST_TEST(garbage.status == 422);
  BOOST_TEST(json_at(garbage.body, "/error/field") == "created_at");
  request(p, "PUT", "/api/v1/connections/sales",
          R"({"name":"Sales","metrics":[{"name":"revenue"}],"entities":[{"name":"product"}]})",
          token_for("admin"));
  auto as_of = request(p, "POST",
                       "/api/v1/connections/sales/suggestions/personalized?partial_query=top&as_of="
                       "2026-01-05T09:14:00Z",
                       "", token_for("u0"));
  BOOST_TEST(as_of.status == 200, as_of.body);
  auto bad = request(p, "POST",
                     "/api/v1/connections/sales/suggestions/personalized?as_of=2026-01-05", "",
                     token_for("u0"));
  BOOST_TEST(bad.status == 422, bad.body);
  BOOST_TEST(json_at(bad.body, "/error/field") == "as_of");
}

BOOST_AUTO_TEST_SUITE_END()
