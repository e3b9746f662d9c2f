// Activity tracking: every type through log and history, every validation rule, isolation
// between users, concurrency, idempotent retries, commit failures, and crashes mid-stream (of
// foresightd and of PostgreSQL).
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <fstream>
#include <functional>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <thread>

#include "core/json_writer.hpp"
#include "storage/store_set.hpp"
#include "tests/integration/db_helpers.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/pg_proxy.hpp"
#include "tests/integration/json_assert.hpp"
#include "tests/integration/server_process.hpp"

using namespace foresight;
using namespace foresight::testing;

namespace {

struct activity_env {
  std::string db = fresh_database();
  activity_env(int users = 2) {
    add_user(db, "u0", "analyst", false);
    for (int i = 1; i < users; ++i)
      add_user(db, "u" + std::to_string(i), i % 2 ? "trader" : "analyst", false);
  }
};

http_reply log_activity(std::uint16_t port, const std::string& user, const std::string& body,
                        std::map<std::string, std::string> headers = {}) {
  return request(port, "POST", "/api/v1/activity/log", body, token_for(user), headers);
}

/// Logs `body` again every 100 ms until it is stored (200) or `within` has passed: the last
/// answer. For a server waiting for its database to come back.
http_reply log_until_stored(std::uint16_t port, const std::string& user, const std::string& body,
                            std::chrono::milliseconds within) {
  auto started = std::chrono::steady_clock::now();
  http_reply r;
  while (std::chrono::steady_clock::now() - started < within) {
    r = log_activity(port, user, body);
    if (r.status == 200)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return r;
}

std::string json_quoted(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

long long count_rows(const std::string& db, const std::string& where) {
  pqxx::connection c{db};
  pqxx::read_transaction tx{c};
  return tx.exec("SELECT count(*) FROM user_activity WHERE " + where)[0][0].as<long long>();
}

/// Eight users log queries; after 800 ms `interrupt` runs while they go on. The ids acknowledged
/// (a user stops once the server is gone).
std::vector<long long> ids_acknowledged_around(std::uint16_t port,
                                               const std::function<void()>& interrupt) {
  std::mutex mtx;
  std::atomic<bool> stop{false};
  std::vector<long long> acked;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      while (!stop.load()) {
        http_reply r;
        try {
          r = log_activity(port, "u" + std::to_string(t),
                           R"({"activity_type":"query","query_text":"revenue by region"})");
        } catch (...) {
          return; // the server is gone
        }
        if (r.status == 200) {
          std::lock_guard<std::mutex> g{mtx};
          acked.push_back(std::stoll(json_at(r.body, "/activity_id")));
        }
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  interrupt();
  stop = true;
  for (auto& t : threads)
    t.join();
  return acked;
}

/// How many of `ids` are stored.
long long count_ids(const std::string& db, const std::vector<long long>& ids) {
  std::string list;
  for (auto id : ids)
    list += (list.empty() ? "" : ",") + std::to_string(id);
  return count_rows(db, "id IN (" + list + ")");
}

void expect_422(const http_reply& r, const std::string& field) {
  BOOST_TEST(r.status == 422, "status " << r.status << " " << r.body);
  BOOST_TEST(json_at(r.body, "/error/code") == "validation_failed");
  BOOST_TEST(json_at(r.body, "/error/field") == field, r.body);
}

} // namespace

BOOST_AUTO_TEST_SUITE(activity_log)

BOOST_AUTO_TEST_CASE(each_type_round_trips_with_every_field_intact) {
  activity_env env;
  server_process srv{serve_args(env.db)};
  auto p = srv.port();
  auto q = log_activity(p, "u0", R"({"activity_type":"query",
    "query_text":"Show me quarterly profits from last 5 years",
    "response_data":{"data":[{"q":"Q1","profit":12.5}],"metadata":{"generated_sql":"SELECT 1",
      "execution_time_ms":245,"row_count":20}},
    "metadata":{"connection_id":"my-database","role":"ceo","goals":["steal"],"screen":"home"}})");
  BOOST_TEST(q.status == 200, q.body);
  BOOST_TEST(json_at(q.body, "/success") == "true");
  BOOST_TEST(json_at(q.body, "/activity_type") == "query");
  auto query_id = json_at(q.body, "/activity_id");
  BOOST_TEST(log_activity(p, "u0", R"({"activity_type":"chat","query_text":"why did margin drop?"})").status == 200);
  BOOST_TEST(log_activity(p, "u0", R"({"activity_type":"suggestion_click","suggestion_clicked":"Top 10 products by profit"})").status == 200);
  BOOST_TEST(log_activity(p, "u0", R"({"activity_type":"feedback","feedback_rating":4,"metadata":{"activity_id":)" + query_id + "}}").status == 200);

  auto h = request(p, "GET", "/api/v1/activity/history", "", token_for("u0"));
  BOOST_TEST(h.status == 200, h.body);
  BOOST_TEST(json_at(h.body, "/user_id") == "u0");
  BOOST_TEST(json_at(h.body, "/count") == "4");
  // Newest first.
  BOOST_TEST(json_at(h.body, "/activities/0/activity_type") == "feedback");
  BOOST_TEST(json_at(h.body, "/activities/0/feedback_rating") == "4");
  BOOST_TEST(json_at(h.body, "/activities/0/metadata/activity_id") == query_id);
  BOOST_TEST(json_at(h.body, "/activities/1/suggestion_clicked") == "Top 10 products by profit");
  BOOST_TEST(json_at(h.body, "/activities/1/query_text") == "null");
  BOOST_TEST(json_at(h.body, "/activities/2/query_text") == "why did margin drop?");
  auto first = "/activities/3";
  BOOST_TEST(json_at(h.body, std::string(first) + "/id") == query_id);
  BOOST_TEST(json_at(h.body, std::string(first) + "/user_id") == "u0");
  BOOST_TEST(json_at(h.body, std::string(first) + "/query_text") ==
             "Show me quarterly profits from last 5 years");
  BOOST_TEST(json_at(h.body, std::string(first) + "/response_data/metadata/execution_time_ms") == "245");
  BOOST_TEST(json_at(h.body, std::string(first) + "/response_data/data/0/profit") == "12.5");
  BOOST_TEST(json_at(h.body, std::string(first) + "/feedback_rating") == "null");
  // The server's view of the user wins over the client's; the client's own keys stay.
  BOOST_TEST(json_at(h.body, std::string(first) + "/metadata/role") == "analyst");
  BOOST_TEST(json_at(h.body, std::string(first) + "/metadata/department") == "Test");
  BOOST_TEST(json_at(h.body, std::string(first) + "/metadata/goals") == R"(["learn"])");
  BOOST_TEST(json_at(h.body, std::string(first) + "/metadata/connection_id") == "my-database");
  BOOST_TEST(json_at(h.body, std::string(first) + "/metadata/screen") == "home");
  BOOST_TEST(json_at(h.body, std::string(first) + "/created_at").size() == 24u);

  auto only_chat = request(p, "GET", "/api/v1/activity/history?activity_type=chat", "", token_for("u0"));
  BOOST_TEST(json_at(only_chat.body, "/count") == "1");
  auto page1 = request(p, "GET", "/api/v1/activity/history?limit=3", "", token_for("u0"));
  BOOST_TEST(json_at(page1.body, "/count") == "3");
  auto next = json_at(page1.body, "/next_before_id");
  auto page2 = request(p, "GET", "/api/v1/activity/history?limit=3&before_id=" + next, "", token_for("u0"));
  BOOST_TEST(json_at(page2.body, "/count") == "1");
  BOOST_TEST(json_at(page2.body, "/activities/0/id") == query_id);
  BOOST_TEST(json_at(page2.body, "/next_before_id") == "null");
}

BOOST_AUTO_TEST_CASE(naughty_strings_are_stored_byte_exact) {
  activity_env env;
  server_process srv{serve_args(env.db)};
  std::ifstream in(std::string(FORESIGHT_SOURCE_DIR) + "/../shared/corpora/blns/blns.json");
  BOOST_REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  simdjson::dom::parser parser;
  simdjson::dom::array strings = parser.parse(ss.str()).get_array();
  std::vector<std::string> sent;
  for (auto e : strings) {
    std::string s(std::string_view(e.get_string()));
    if (s.empty() || s.find('\0') != std::string::npos)
      continue; // empty chat text and NUL are rejected by design (tested elsewhere)
    auto r = log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":)" + json_quoted(s) + "}");
    BOOST_TEST(r.status == 200, s << " -> " << r.body);
    sent.push_back(s);
  }
  BOOST_TEST(sent.size() > 400u);
  auto h = request(srv.port(), "GET", "/api/v1/activity/history?limit=1000", "", token_for("u0"));
  simdjson::dom::parser p2;
  auto acts = p2.parse(h.body)["activities"].get_array();
  std::vector<std::string> got;
  for (auto a : acts.value())
    got.emplace_back(std::string_view(a["query_text"].get_string()));
  BOOST_REQUIRE(got.size() == sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i)
    BOOST_TEST(got[sent.size() - 1 - i] == sent[i]);
}

BOOST_AUTO_TEST_CASE(users_never_see_each_others_rows) {
  activity_env env;
  server_process srv{serve_args(env.db)};
  log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":"mine"})");
  log_activity(srv.port(), "u1", R"({"activity_type":"chat","query_text":"theirs"})");
  auto h = request(srv.port(), "GET", "/api/v1/activity/history", "", token_for("u1"));
  BOOST_TEST(json_at(h.body, "/count") == "1");
  BOOST_TEST(json_at(h.body, "/activities/0/query_text") == "theirs");
  BOOST_TEST(h.body.find("mine") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(retention_drops_old_result_rows_and_keeps_the_rest) {
  activity_env env;
  store_set{env.db}.schema.migrate();
  {
    pqxx::connection c{env.db};
    pqxx::work tx{c};
    auto add = [&](const char* text, const char* response, int days_ago) {
      tx.exec_params("INSERT INTO user_activity (user_id, activity_type, query_text, response_data,"
                     " created_at) VALUES ('u0', 'query', $1, $2::jsonb,"
                     " CURRENT_TIMESTAMP - make_interval(days => $3))",
                     text, response, days_ago);
    };
    add("old", R"({"data":[{"customer":"Acme","v":1}],"metadata":{"execution_time_ms":5}})", 40);
    add("recent", R"({"data":[{"customer":"Globex","v":2}]})", 5);
    add("old failure", R"({"error":"timeout"})", 40);
    tx.commit();
  }
  server_process srv{serve_args(env.db, {"--retention-days", "30", "--retention-every-s", "1"})};
  wait_for(env.db, "SELECT count(*) FROM user_activity WHERE response_data ? 'data_dropped_at'", 1);
  pqxx::connection c{env.db};
  pqxx::read_transaction tx{c};
  auto row = [&](const char* text) {
    return tx.exec_params("SELECT response_data::text FROM user_activity WHERE query_text = $1",
                          text)[0][0].as<std::string>();
  };
  auto old = row("old");
  BOOST_TEST(json_at(old, "/data") == "[]", old);
  BOOST_TEST(json_at(old, "/metadata/execution_time_ms") == "5", old); // kept for learning
  BOOST_TEST(old.find("Acme") == std::string::npos, old);
  BOOST_TEST(row("recent").find("Globex") != std::string::npos);
  BOOST_TEST(json_at(row("old failure"), "/error") == "timeout");
  BOOST_TEST(row("old failure").find("data_dropped_at") == std::string::npos);
}

// Each stored row's foreign-key check on users probes its primary key, also once users has
// been analysed while it holds a few hundred rows: under PostgreSQL's default page costs that
// check scans the whole table, row after row.
BOOST_AUTO_TEST_CASE(each_rows_foreign_key_check_probes_the_users_index) {
  activity_env env{1};
  pqxx::connection c{env.db};
  {
    pqxx::nontransaction tx{c};
    tx.exec("INSERT INTO users (id, username, password_hash, role) "
            "SELECT 'p' || i, 'p' || i, 'x', 'analyst' FROM generate_series(1, 300) i");
    tx.exec("ANALYZE users");
  }
  // Scans of users so far (sequential, by index), as PostgreSQL counts them.
  auto scans = [&] {
    pqxx::nontransaction tx{c};
    tx.exec("SELECT pg_stat_clear_snapshot()");
    auto row = tx.exec1("SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables "
                        "WHERE relname = 'users'");
    return std::make_pair(row[0].as<long long>(), row[1].as<long long>());
  };
  server_process srv{serve_args(env.db)};
  auto body = R"({"activity_type":"chat","query_text":"one of forty"})";
  BOOST_REQUIRE(log_activity(srv.port(), "u0", body).status == 200);
  // A backend reports its counts within a second of going idle.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto before = scans();
  const int n = 40;
  for (int i = 0; i < n; ++i)
    BOOST_REQUIRE(log_activity(srv.port(), "u0", body).status == 200);
  auto after = before;
  for (int i = 0; i < 50 && after.second - before.second < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    after = scans();
  }
  BOOST_TEST(after.second - before.second >= n);    // a probe per row
  BOOST_TEST(after.first - before.first < n / 4);   // not a scan per row
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(activity_validation)

BOOST_AUTO_TEST_CASE(every_rule_answers_422_naming_the_field) {
  activity_env env;
  server_process srv{serve_args(env.db, {"--max-body-bytes", "65536"})};
  auto p = srv.port();
  expect_422(log_activity(p, "u0", R"({"activity_type":"click"})"), "activity_type");
  expect_422(log_activity(p, "u0", R"({"query_text":"x"})"), "activity_type");
  expect_422(log_activity(p, "u0", R"({"activity_type":"query"})"), "query_text");
  expect_422(log_activity(p, "u0", R"({"activity_type":"chat","query_text":""})"), "query_text");
  expect_422(log_activity(p, "u0", R"({"activity_type":"query","query_text":42})"), "query_text");
  expect_422(log_activity(p, "u0", R"({"activity_type":"suggestion_click"})"), "suggestion_clicked");
  expect_422(log_activity(p, "u0", R"({"activity_type":"feedback"})"), "feedback_rating");
  for (auto* rating : {"0", "6", "\"5\"", "4.5", "true"})
    expect_422(log_activity(p, "u0", std::string(R"({"activity_type":"feedback","feedback_rating":)") + rating + "}"),
               "feedback_rating");
  expect_422(log_activity(p, "u0", R"({"activity_type":"query","query_text":"x","response_data":[1]})"),
             "response_data");
  expect_422(log_activity(p, "u0", R"({"activity_type":"query","query_text":"x","metadata":"m"})"),
             "metadata");
  expect_422(log_activity(p, "u0", R"({"activity_type":"query","query_text":")" + std::string(8193, 'a') + "\"}"),
             "query_text");
  BOOST_TEST(log_activity(p, "u0", R"({"activity_type":"query","query_text":")" + std::string(8192, 'a') + "\"}").status == 200);
  expect_422(log_activity(p, "u0", R"({"activity_type":"chat","query_text":"a\u0000b"})"), "query_text");
  // Invalid UTF-8 is malformed JSON (issue 14, item 11).
  auto bad_utf8 = log_activity(p, "u0", "{\"activity_type\":\"chat\",\"query_text\":\"\xc3\x28\"}");
  BOOST_TEST(bad_utf8.status == 400);
  expect_422(log_activity(p, "u0", R"({"activity_type":"chat","query_text":"x"})",
                          {{"Idempotency-Key", std::string(101, 'k')}}),
             "Idempotency-Key");
  auto malformed = log_activity(p, "u0", R"({"activity_type":"chat",)");
  BOOST_TEST(malformed.status == 400);
  auto huge = log_activity(p, "u0", R"({"activity_type":"chat","query_text":"x","metadata":{"pad":")" +
                                      std::string(70000, 'p') + "\"}}");
  BOOST_TEST(huge.status == 413);
  auto h = [&](const std::string& q) {
    return request(p, "GET", "/api/v1/activity/history" + q, "", token_for("u0"));
  };
  expect_422(h("?limit=0"), "limit");
  expect_422(h("?limit=1001"), "limit");
  expect_422(h("?limit=ten"), "limit");
  expect_422(h("?activity_type=bogus"), "activity_type");
  expect_422(h("?before_id=-3"), "before_id");
  BOOST_TEST(h("?limit=%zz").status == 400);
  // Nothing invalid was stored.
  BOOST_TEST(count_rows(env.db, "true") == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(activity_concurrency)

BOOST_AUTO_TEST_CASE(two_hundred_users_at_once_every_acknowledged_id_stored_once) {
  activity_env env{200};
  server_process srv{serve_args(env.db)};
  std::mutex mtx;
  std::vector<long long> acked;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 20; ++t)
    threads.emplace_back([&, t] {
      for (int u = t; u < 200; u += 20)
        for (int k = 0; k < 5; ++k) {
          auto r = log_activity(srv.port(), "u" + std::to_string(u),
                                R"({"activity_type":"query","query_text":"top )" + std::to_string(k) +
                                  R"( products by revenue","metadata":{"connection_id":"c"}})");
          if (r.status != 200) {
            ++failures;
            continue;
          }
          std::lock_guard<std::mutex> g{mtx};
          acked.push_back(std::stoll(json_at(r.body, "/activity_id")));
        }
    });
  for (auto& t : threads)
    t.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(acked.size() == 1000u);
  BOOST_TEST(std::set<long long>(acked.begin(), acked.end()).size() == acked.size());
  pqxx::connection c{env.db};
  pqxx::read_transaction tx{c};
  std::string list;
  for (auto id : acked)
    list += (list.empty() ? "" : ",") + std::to_string(id);
  BOOST_TEST(tx.exec("SELECT count(*) FROM user_activity WHERE id IN (" + list + ")")[0][0].as<int>() == 1000);
  BOOST_TEST(tx.exec("SELECT count(*) FROM user_activity")[0][0].as<int>() == 1000);
  // Every user's rows are their own and carry their role.
  BOOST_TEST(tx.exec("SELECT count(*) FROM user_activity a JOIN users u ON u.id = a.user_id "
                     "WHERE a.metadata->>'role' = u.role")[0][0].as<int>() == 1000);
}

BOOST_AUTO_TEST_CASE(a_retried_request_is_stored_once_even_when_both_arrive_together) {
  activity_env env;
  server_process srv{serve_args(env.db)};
  std::vector<std::string> ids(12);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] {
      auto r = log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":"retry me"})",
                            {{"Idempotency-Key", "req-7f3a"}});
      ids[i] = r.status == 200 ? json_at(r.body, "/activity_id") : "status " + std::to_string(r.status);
    });
  for (auto& t : threads)
    t.join();
  for (auto& id : ids)
    BOOST_TEST(id == ids[0]);
  BOOST_TEST(count_rows(env.db, "true") == 1);
  // The same key from another user is another request.
  auto other = log_activity(srv.port(), "u1", R"({"activity_type":"chat","query_text":"retry me"})",
                            {{"Idempotency-Key", "req-7f3a"}});
  BOOST_TEST(json_at(other.body, "/activity_id") != ids[0]);
  BOOST_TEST(count_rows(env.db, "true") == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(activity_durability)

BOOST_AUTO_TEST_CASE(connections_open_before_the_first_request) {
  // The first users' requests would otherwise each wait for a new backend: its connection, its
  // password exchange, its first catalog reads (tens of ms under load).
  activity_env env;
  server_process srv{serve_args(env.db, {"--db-pool-size", "3"})};
  // Three storage workers, the background worker and the committer's two (its live INSERTs go
  // on one of their own); no request was made.
  wait_for(env.db, other_connections_sql, 6);
  BOOST_TEST(log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":"hi"})")
               .status == 200);
}

BOOST_AUTO_TEST_CASE(a_failed_commit_answers_503_and_the_next_request_succeeds) {
  activity_env env;
  server_process srv{serve_args(env.db)};
  run_sql(env.db, {"CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION"
                   " 'disk on fire'; END $$ LANGUAGE plpgsql",
                   "CREATE TRIGGER refuse BEFORE INSERT ON user_activity FOR EACH ROW"
                   " EXECUTE FUNCTION refuse()"});
  auto failed = log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":"lost?"})");
  BOOST_TEST(failed.status == 503, failed.body);
  BOOST_TEST(json_at(failed.body, "/error/code") == "unavailable");
  BOOST_TEST(failed.header("retry-after") == "1");
  run_sql(env.db, {"DROP TRIGGER refuse ON user_activity"});
  auto ok = log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":"stored"})");
  BOOST_TEST(ok.status == 200, ok.body);
  BOOST_TEST(count_rows(env.db, "true") == 1);
  BOOST_TEST(count_rows(env.db, "query_text = 'stored'") == 1);
}

// One user's row that PostgreSQL refuses (here a CHECK constraint; before, a NUL inside JSONB)
// shares a group commit with other users' rows: it alone answers 422, the others are stored.
BOOST_AUTO_TEST_CASE(a_row_the_database_refuses_fails_only_its_own_request) {
  activity_env env{20};
  store_set{env.db}.schema.migrate();
  run_sql(env.db, {"ALTER TABLE user_activity ADD CONSTRAINT no_refuse"
                   " CHECK (query_text <> 'refuse me')"});
  // A batch window long enough that the concurrent requests below commit together.
  server_process srv{serve_args(env.db, {"--writer-batch-wait-ms", "300"})};
  std::vector<http_reply> replies(20);
  std::vector<std::thread> threads;
  for (int u = 0; u < 20; ++u)
    threads.emplace_back([&, u] {
      std::string text = u == 7 ? "refuse me" : "revenue by region " + std::to_string(u);
      std::string meta = u == 11 ? R"({"note":"a\u0000b"})" : R"({"connection_id":"c"})";
      replies[u] = log_activity(srv.port(), "u" + std::to_string(u),
                                R"({"activity_type":"query","query_text":")" + text +
                                  R"(","metadata":)" + meta + "}");
    });
  for (auto& t : threads)
    t.join();
  expect_422(replies[11], "metadata.note");
  BOOST_TEST(replies[7].status == 422, replies[7].body);
  BOOST_TEST(json_at(replies[7].body, "/error/code") == "validation_failed");
  for (int u = 0; u < 20; ++u)
    if (u != 7 && u != 11)
      BOOST_TEST(replies[u].status == 200, "u" << u << ": " << replies[u].body);
  BOOST_TEST(count_rows(env.db, "true") == 18);
  BOOST_TEST(count_rows(env.db, "query_text = 'refuse me'") == 0);
  // The server goes on storing afterwards.
  auto later = log_activity(srv.port(), "u7", R"({"activity_type":"query","query_text":"ok now"})");
  BOOST_TEST(later.status == 200, later.body);
}

// The connection is cut right after COMMIT reached PostgreSQL: the commit happened, its answer
// was lost. The server settles the row's fate before answering (never a blind retry), so the
// client hears 200 for a stored row, and a retry with the same key finds it.
BOOST_AUTO_TEST_CASE(a_commit_whose_answer_is_lost_is_settled_before_the_client_hears) {
  auto socket_dir = test_cluster_socket_dir();
  if (socket_dir.empty())
    return; // an external TCP cluster: the proxy relays unix sockets only
  activity_env env;
  pg_cutting_proxy proxy{socket_dir};
  server_process srv{serve_args(via_socket_dir(env.db, proxy.socket_dir()))};
  BOOST_TEST(log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":"before"})")
               .status == 200);
  for (auto key : {"doubt-1", ""}) {
    std::string text = std::string("in doubt ") + key;
    std::map<std::string, std::string> headers;
    if (*key)
      headers["Idempotency-Key"] = key;
    // Both ways of storing a batch: the JSON statement in a transaction for rows with a key, a
    // prepared INSERT that commits on its own for live rows.
    proxy.cut_commit_after(*key ? "nextval('user_activity_id_seq')" : "insert_live_");
    auto cut = log_activity(srv.port(), "u0",
                            R"({"activity_type":"query","query_text":")" + text + R"("})", headers);
    BOOST_TEST(proxy.cuts() == (*key ? 1 : 2));
    BOOST_TEST(cut.status == 200, cut.body);
    BOOST_TEST(count_rows(env.db, "query_text = '" + text + "'") == 1);
    if (*key) {
      auto retry = log_activity(srv.port(), "u0",
                                R"({"activity_type":"query","query_text":")" + text + R"("})",
                                headers);
      BOOST_TEST(retry.status == 200, retry.body);
      BOOST_TEST(json_at(retry.body, "/activity_id") == json_at(cut.body, "/activity_id"));
      BOOST_TEST(count_rows(env.db, "query_text = '" + text + "'") == 1);
    }
  }
  // The learners got the settled rows too.
  wait_for(env.db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'global'", 2);
}

// A slow database: the commit is cancelled within its timeout, inside the HTTP deadline, so the
// client hears 503 (retry) and the row is never stored later behind a 504.
BOOST_AUTO_TEST_CASE(a_slow_commit_is_cancelled_before_the_request_times_out) {
  activity_env env;
  store_set{env.db}.schema.migrate();
  run_sql(env.db, {"CREATE FUNCTION slow() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(2);"
                   " RETURN NEW; END $$ LANGUAGE plpgsql",
                   "CREATE TRIGGER slow BEFORE INSERT ON user_activity FOR EACH ROW"
                   " EXECUTE FUNCTION slow()"});
  server_process srv{serve_args(env.db, {"--request-timeout-ms", "1000"})};
  auto r = log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":"slow"})");
  BOOST_TEST(r.status == 503, r.body);
  BOOST_TEST(r.header("retry-after") == "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  BOOST_TEST(count_rows(env.db, "true") == 0); // not stored behind the client's back
}

// A database that stops answering altogether, so that no statement timeout can fire: the server
// stops waiting for the stuck commit before the HTTP deadline, so the client hears 503 with
// Retry-After (never 504), and once the database answers again so does the server.
BOOST_AUTO_TEST_CASE(a_database_that_stops_answering_is_answered_503_before_the_deadline) {
  auto socket_dir = test_cluster_socket_dir();
  if (socket_dir.empty())
    return; // an external TCP cluster: the proxy relays unix sockets only
  activity_env env;
  pg_cutting_proxy proxy{socket_dir};
  server_process srv{serve_args(via_socket_dir(env.db, proxy.socket_dir()),
                                {"--request-timeout-ms", "1500"})};
  // The user's session is loaded (from the database) before it stops answering.
  BOOST_REQUIRE(log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":"before"})")
                  .status == 200);
  proxy.stall(true);
  auto r = log_activity(srv.port(), "u0", R"({"activity_type":"chat","query_text":"frozen"})");
  BOOST_TEST(r.status == 503, r.body);
  BOOST_TEST(r.header("retry-after") == "1");
  proxy.stall(false);
  auto after = log_until_stored(srv.port(), "u0", R"({"activity_type":"chat","query_text":"after"})",
                                std::chrono::seconds(5));
  BOOST_TEST(after.status == 200, after.body);
}

// PostgreSQL stops for 10 s under mixed load: writes answer 503 + Retry-After (never success
// without a commit), cached suggestions keep being served from memory, /readyz says not ready;
// afterwards everything recovers by itself within 5 s, and no acknowledged row is missing or
// doubled although clients retried with their keys throughout.
BOOST_AUTO_TEST_CASE(a_database_outage_is_survived_without_loss_or_doubles) {
  activity_env env{5};
  add_user(env.db, "adm", "admin", true);
  server_process srv{serve_args(env.db)};
  auto port = srv.port();
  BOOST_REQUIRE(request(port, "PUT", "/api/v1/connections/c",
                        R"({"name":"C","metrics":[{"name":"revenue"}]})", token_for("adm"))
                  .status == 201);
  const std::string suggest = "/api/v1/connections/c/suggestions/personalized?partial_query=rev";
  BOOST_REQUIRE(request(port, "POST", suggest, "", token_for("u4")).status == 200);
  std::atomic<bool> stop{false}, down{false};
  std::mutex mtx;
  std::map<std::string, std::string> acked; // key -> id
  std::set<int> statuses, suggest_statuses_while_down;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int n = 0; !stop.load(); ++n) {
        auto key = "t" + std::to_string(t) + "-" + std::to_string(n);
        for (;;) { // a client retrying with its key until the server takes the activity
          auto r = log_activity(port, "u" + std::to_string(t),
                                R"({"activity_type":"query","query_text":"revenue )" + key +
                                  R"("})",
                                {{"Idempotency-Key", key}});
          std::lock_guard<std::mutex> g{mtx};
          statuses.insert(r.status);
          if (r.status == 200) {
            acked[key] = json_at(r.body, "/activity_id");
            break;
          }
          BOOST_TEST(r.header("retry-after") == "1", r.status << " " << r.body);
          if (stop.load())
            break;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    });
  threads.emplace_back([&] {
    while (!stop.load()) {
      bool was_down = down.load();
      auto r = request(port, "POST", suggest, "", token_for("u4"));
      if (was_down && down.load()) {
        std::lock_guard<std::mutex> g{mtx};
        suggest_statuses_while_down.insert(r.status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  if (!stop_test_cluster()) { // an external database: cannot be stopped from here
    stop = true;
    for (auto& t : threads)
      t.join();
    return;
  }
  down = true;
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto ready = request(port, "GET", "/readyz");
  BOOST_TEST(ready.status == 503, ready.body);
  std::this_thread::sleep_for(std::chrono::seconds(8));
  down = false;
  start_test_cluster();
  auto probe = log_until_stored(port, "u0", R"({"activity_type":"chat","query_text":"back"})",
                                std::chrono::seconds(5));
  BOOST_TEST(probe.status == 200, probe.body);
  BOOST_TEST(request(port, "GET", "/readyz").status == 200);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  for (auto& t : threads)
    t.join();
  BOOST_TEST((statuses == std::set<int>{200, 503}), "statuses seen: " << statuses.size());
  BOOST_TEST((suggest_statuses_while_down == std::set<int>{200}));
  // Every acknowledged key is stored once, with the id it was acknowledged with.
  pqxx::connection c{env.db};
  pqxx::read_transaction tx{c};
  for (auto& [key, id] : acked) {
    auto rows = tx.exec_params("SELECT id FROM user_activity WHERE idempotency_key = $1", key);
    BOOST_TEST_REQUIRE(rows.size() == 1u, key);
    BOOST_TEST(rows[0][0].as<std::string>() == id, key);
  }
  BOOST_TEST(tx.exec("SELECT count(*) FROM user_activity WHERE idempotency_key IS NOT NULL")[0][0]
               .as<std::size_t>() >= acked.size());
}

// SIGTERM in the middle of a stream of writes: the server stops accepting, answers what is in
// flight (200 only if committed), exits 0 within 10 s, and every acknowledged row is stored.
BOOST_AUTO_TEST_CASE(sigterm_under_load_answers_what_is_in_flight_and_loses_nothing) {
  activity_env env{8};
  server_process srv{serve_args(env.db)};
  auto port = srv.port();
  std::atomic<bool> stop{false};
  std::mutex mtx;
  std::map<std::string, std::string> acked;
  std::set<int> statuses;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int n = 0; !stop.load(); ++n) {
        auto key = "s" + std::to_string(t) + "-" + std::to_string(n);
        http_reply r;
        try {
          r = log_activity(port, "u" + std::to_string(t),
                           R"({"activity_type":"chat","query_text":"load"})",
                           {{"Idempotency-Key", key}});
        } catch (...) {
          return; // the listener is closed: the server is going
        }
        std::lock_guard<std::mutex> g{mtx};
        statuses.insert(r.status);
        if (r.status == 200)
          acked[key] = json_at(r.body, "/activity_id");
      }
    });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto before = std::chrono::steady_clock::now();
  BOOST_TEST(srv.stop(SIGTERM) == 0, srv.output());
  auto took = std::chrono::steady_clock::now() - before;
  stop = true;
  for (auto& t : threads)
    t.join();
  BOOST_TEST((took < std::chrono::seconds(10)));
  for (auto s : statuses)
    BOOST_TEST((s == 200 || s == 503 || s == 0), "status " << s); // 0: closed before an answer
  BOOST_TEST(acked.size() > 10u);
  pqxx::connection c{env.db};
  pqxx::read_transaction tx{c};
  for (auto& [key, id] : acked) {
    auto rows = tx.exec_params("SELECT id FROM user_activity WHERE idempotency_key = $1", key);
    BOOST_TEST_REQUIRE(rows.size() == 1u, key);
    BOOST_TEST(rows[0][0].as<std::string>() == id);
  }
  BOOST_TEST(srv.output().find("\"msg\":\"stopped\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_acknowledged_activity_survives_a_crash) {
  activity_env env{8};
  std::vector<long long> acked;
  {
    server_process srv{serve_args(env.db)};
    acked = ids_acknowledged_around(srv.port(), [&] { srv.stop(SIGKILL); });
  }
  BOOST_TEST(acked.size() > 20u);
  server_process again{serve_args(env.db)};
  BOOST_TEST(request(again.port(), "GET", "/readyz").status == 200);
  BOOST_TEST(count_ids(env.db, acked) == static_cast<long long>(acked.size()));
}

// PostgreSQL crashes under load (an immediate shutdown: nothing is flushed on the way out). An
// activity is acknowledged only once its commit's WAL is on disk, so none acknowledged is lost.
BOOST_AUTO_TEST_CASE(every_acknowledged_activity_survives_a_database_crash) {
  activity_env env{8};
  server_process srv{serve_args(env.db)};
  bool crashed = false; // stays false for an external database, which cannot be crashed
  auto acked = ids_acknowledged_around(
    srv.port(), [&] { crashed = stop_test_cluster(embedded_postgres::shutdown::immediate); });
  if (!crashed)
    return;
  start_test_cluster();
  BOOST_TEST(acked.size() > 20u);
  BOOST_TEST(count_ids(env.db, acked) == static_cast<long long>(acked.size()));
}

BOOST_AUTO_TEST_SUITE_END()
