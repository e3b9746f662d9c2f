// Foundation: the embedded cluster, migrations, tokens, catalogs, users, and every error status,
// all through a real foresightd process over HTTP.
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <filesystem>
#include <pqxx/pqxx>
#include <sys/stat.h>
#include <thread>
#include <sys/socket.h>
#include <unistd.h>

#include "core/jwt.hpp"
#include "storage/store_set.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/json_assert.hpp"
#include "tests/integration/server_process.hpp"

using namespace foresight;
using namespace foresight::testing;
namespace fs = std::filesystem;

namespace {

const std::string sales_catalog = R"({"name":"Sales",
  "metrics":[{"name":"revenue","display_name":"Revenue","description":"Gross","aggregation":"sum"},
             {"name":"profit_margin","display_name":"Profit margin","aggregation":"avg"}],
  "dimensions":[{"name":"region","display_name":"Region","type":"string"}],
  "entities":[{"name":"product","display_name":"Products"}]})";

/// A database with an admin and an analyst, and a server on it.
struct served_db {
  std::string db = fresh_database();
  served_db() {
    add_user(db, "admin1", "admin", true);
    add_user(db, "analyst1", "analyst", false);
  }
};

void expect_error(const http_reply& r, int status, const std::string& code) {
  BOOST_TEST(r.status == status, "status " << r.status << " body " << r.body);
  BOOST_TEST(json_at(r.body, "/error/code") == code, r.body);
  BOOST_TEST(json_at(r.body, "/error/message") != "<missing>");
  BOOST_TEST(r.header("content-type") == "application/json");
}

} // namespace

// -- embedded PostgreSQL --------------------------------------------------------

BOOST_AUTO_TEST_SUITE(embedded_cluster)

BOOST_AUTO_TEST_CASE(serves_from_its_own_cluster_survives_a_kill_and_stops_it_on_sigterm) {
  char tmpl[] = "/tmp/foresight-embedded-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto args = std::vector<std::string>{"serve", "--port", "0", "--data-dir", dir,
                                       "--pbkdf2-iterations", "1000", "--wal-reserve-mb", "128"};
  auto wal_files = [&] {
    int n = 0;
    for (auto& e : fs::directory_iterator(dir + "/postgres/pg_wal"))
      n += e.is_regular_file() && e.file_size() == 16u << 20;
    return n;
  };
  {
    server_process first{args};
    BOOST_TEST(request(first.port(), "GET", "/readyz").status == 200);
    // The new cluster's WAL reserve (8 files of 16 MB), so its first writes make no new files.
    BOOST_TEST(wal_files() >= 8);
    // A subcommand beside a running server shares its cluster.
    server_process add{{"user", "add", "--data-dir", dir, "--id", "boss", "--role", "executive",
                        "--password", "boss-password", "--admin", "--goals", R"(["grow"])",
                        "--pbkdf2-iterations", "1000"}};
    BOOST_TEST(add.wait() == 0, add.output());
    first.stop(SIGKILL); // leaves the cluster running, as a crash would
  }
  struct stat st{};
  BOOST_TEST(stat((dir + "/jwt_secret").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600);
  if (geteuid() == 0) {
    BOOST_TEST(stat((dir + "/postgres").c_str(), &st) == 0);
    BOOST_TEST(st.st_uid != 0u, "the cluster must not be owned by root");
  }
  server_process second{args};
  auto login = request(second.port(), "POST", "/api/v1/auth/token",
                       R"({"username":"boss","password":"boss-password"})");
  BOOST_TEST(login.status == 200, login.body);
  auto token = json_at(login.body, "/access_token");
  auto list = request(second.port(), "GET", "/api/v1/connections", "", token);
  BOOST_TEST(list.status == 200, list.body);
  BOOST_TEST(second.stop(SIGTERM) == 0, second.output());
  BOOST_TEST(second.output().find("\"msg\":\"stopped\"") != std::string::npos);
  BOOST_TEST(!fs::exists(dir + "/postgres/postmaster.pid"), "the cluster was left running");
  std::error_code ec;
  fs::remove_all(dir, ec);
}

BOOST_AUTO_TEST_SUITE_END()

// -- migrations against a real database ------------------------------------------

BOOST_AUTO_TEST_SUITE(migrations_db)

BOOST_AUTO_TEST_CASE(a_second_run_changes_nothing) {
  auto url = fresh_database();
  store_set db{url};
  BOOST_TEST(db.schema.migrate() >= 3);
  BOOST_TEST(db.schema.migrate() == 0);
  server_process cli{{"migrate", "--database-url", url}};
  BOOST_TEST(cli.wait() == 0, cli.output());
  BOOST_TEST(cli.output().find("applied 0 migration(s)") != std::string::npos, cli.output());
}

BOOST_AUTO_TEST_CASE(migration_004_creates_the_spec_tables_and_indexes) {
  auto url = fresh_database();
  store_set{url}.schema.migrate();
  pqxx::connection c{url};
  pqxx::read_transaction tx{c};
  auto columns = [&](const std::string& table) {
    std::string out;
    for (auto row : tx.exec_params("SELECT column_name || ' ' || data_type FROM "
                                   "information_schema.columns WHERE table_name = $1 "
                                   "ORDER BY ordinal_position",
                                   table))
      out += row[0].as<std::string>() + ",";
    return out;
  };
  BOOST_TEST(columns("user_activity").find(
               "id integer,user_id character varying,activity_type character varying,query_text "
               "text,response_data jsonb,suggestion_clicked text,feedback_rating integer,metadata "
               "jsonb,created_at timestamp without time zone,") == 0u,
             columns("user_activity"));
  BOOST_TEST(columns("query_patterns").find(
               "id integer,pattern_type character varying,target_id character varying,"
               "query_template text,frequency integer,success_rate double precision,"
               "avg_response_time double precision,last_used timestamp without time zone,"
               "metadata jsonb,created_at timestamp without time zone,updated_at timestamp "
               "without time zone") == 0u,
             columns("query_patterns"));
  // The spec's columns come first, in its order; later migrations only append.
  BOOST_TEST(columns("suggestion_cache").find(
               "id integer,user_id character varying,context_hash character varying,suggestions "
               "jsonb,generated_at timestamp without time zone,expires_at timestamp without time "
               "zone,hit_count integer,") == 0u,
             columns("suggestion_cache"));
  BOOST_TEST(columns("user_suggestion_preferences").find(
               "user_id character varying,preferred_query_types jsonb,excluded_metrics jsonb,"
               "preferred_metrics jsonb,preferred_dimensions jsonb,show_advanced_queries boolean,"
               "max_suggestions integer,updated_at timestamp without time zone,") == 0u,
             columns("user_suggestion_preferences"));
  auto idx = tx.exec("SELECT count(*) FROM pg_indexes WHERE indexname IN ("
                     "'idx_user_activity_user_id','idx_user_activity_type',"
                     "'idx_user_activity_created_at','idx_user_activity_user_type',"
                     "'idx_query_patterns_type','idx_query_patterns_target',"
                     "'idx_query_patterns_frequency','idx_query_patterns_success',"
                     "'idx_suggestion_cache_user_id','idx_suggestion_cache_hash',"
                     "'idx_suggestion_cache_expires')");
  BOOST_TEST(idx[0][0].as<int>() == 11);
  auto cascades = tx.exec("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                          "confdeltype = 'c' AND confrelid = 'users'::regclass AND conrelid IN "
                          "('user_activity'::regclass, 'suggestion_cache'::regclass, "
                          "'user_suggestion_preferences'::regclass)");
  BOOST_TEST(cascades[0][0].as<int>() == 3);
  auto defaults = tx.exec("SELECT column_default FROM information_schema.columns WHERE "
                          "table_name = 'user_suggestion_preferences' AND column_name = "
                          "'max_suggestions'");
  BOOST_TEST(defaults[0][0].as<std::string>() == "6");
}

BOOST_AUTO_TEST_SUITE_END()

// -- tokens and identity --------------------------------------------------------

BOOST_AUTO_TEST_SUITE(auth)

BOOST_AUTO_TEST_CASE(every_api_route_needs_a_valid_bearer_token) {
  served_db s;
  server_process srv{serve_args(s.db)};
  auto p = srv.port();
  expect_error(request(p, "GET", "/api/v1/connections"), 401, "unauthorized");
  BOOST_TEST(request(p, "GET", "/api/v1/connections").header("www-authenticate") == "Bearer");
  expect_error(request(p, "GET", "/api/v1/connections", "", "not.a.token"), 401, "unauthorized");
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  expect_error(request(p, "GET", "/api/v1/connections", "",
                       jwt_sign({"admin1", now, now + 60}, "another-secret-that-is-long-enough-0123")),
               401, "unauthorized");
  expect_error(request(p, "GET", "/api/v1/connections", "", jwt_sign({"admin1", now - 100, now - 10}, test_secret)),
               401, "unauthorized");
  expect_error(request(p, "GET", "/api/v1/connections", "", {}, {{"Authorization", "Basic YTpi"}}),
               401, "unauthorized");
  // A valid token for a user that does not exist proves nothing.
  expect_error(request(p, "GET", "/api/v1/connections", "", token_for("ghost")), 401,
               "unauthorized");
  BOOST_TEST(request(p, "GET", "/api/v1/connections", "", token_for("admin1")).status == 200);
}

BOOST_AUTO_TEST_CASE(the_token_route_exchanges_credentials_for_a_working_token) {
  served_db s;
  server_process srv{serve_args(s.db, {"--token-ttl", "120"})};
  auto p = srv.port();
  auto r = request(p, "POST", "/api/v1/auth/token",
                   R"({"username":"admin1","password":"password-123"})");
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(json_at(r.body, "/token_type") == "bearer");
  BOOST_TEST(json_at(r.body, "/expires_in") == "120");
  BOOST_TEST(json_at(r.body, "/user") == R"({"id":"admin1","role":"admin","is_admin":true})");
  auto analyst = request(p, "POST", "/api/v1/auth/token",
                         R"({"username":"analyst1","password":"password-123"})");
  BOOST_TEST(json_at(analyst.body, "/user") ==
             R"({"id":"analyst1","role":"analyst","is_admin":false})");
  auto token = json_at(r.body, "/access_token");
  auto v = jwt_verify(token, test_secret, static_cast<std::int64_t>(std::time(nullptr)));
  BOOST_TEST(v.ok());
  BOOST_TEST(v.claims.subject == "admin1");
  BOOST_TEST(request(p, "GET", "/api/v1/connections", "", token).status == 200);
  expect_error(request(p, "POST", "/api/v1/auth/token",
                       R"({"username":"admin1","password":"wrong-password"})"),
               401, "unauthorized");
  auto unknown = request(p, "POST", "/api/v1/auth/token",
                         R"({"username":"nobody","password":"password-123"})");
  expect_error(unknown, 401, "unauthorized");
  // Unknown user and wrong password read the same: no user enumeration.
  BOOST_TEST(json_at(unknown.body, "/error/message") == "invalid username or password");
  auto missing = request(p, "POST", "/api/v1/auth/token", R"({"username":"admin1"})");
  expect_error(missing, 422, "validation_failed");
  BOOST_TEST(json_at(missing.body, "/error/field") == "password");
}

BOOST_AUTO_TEST_CASE(the_token_subcommand_prints_a_token_the_server_accepts) {
  served_db s;
  server_process srv{serve_args(s.db)};
  server_process cli{{"token", "--user", "analyst1", "--ttl", "60", "--database-url", s.db,
                      "--jwt-secret", test_secret}};
  BOOST_TEST(cli.wait() == 0, cli.output());
  auto token = cli.output().substr(0, cli.output().find('\n'));
  auto v = jwt_verify(token, test_secret, static_cast<std::int64_t>(std::time(nullptr)));
  BOOST_TEST(v.ok(), cli.output());
  BOOST_TEST(v.claims.expires_at - v.claims.issued_at == 60);
  server_process bad{{"token", "--user", "ghost", "--database-url", s.db, "--jwt-secret", test_secret}};
  BOOST_TEST(bad.wait() != 0);
}

BOOST_AUTO_TEST_SUITE_END()

// -- catalogs and users -----------------------------------------------------------

BOOST_AUTO_TEST_SUITE(catalogs)

BOOST_AUTO_TEST_CASE(a_catalog_round_trips_and_its_version_grows) {
  served_db s;
  server_process srv{serve_args(s.db)};
  auto p = srv.port();
  auto admin = token_for("admin1");
  auto put = request(p, "PUT", "/api/v1/connections/sales-db", sales_catalog, admin);
  BOOST_TEST(put.status == 201, put.body);
  BOOST_TEST(json_at(put.body, "/version") == "1");
  auto got = request(p, "GET", "/api/v1/connections/sales-db", "", admin);
  BOOST_TEST(got.status == 200);
  BOOST_TEST(json_at(got.body, "/connection_id") == "sales-db");
  BOOST_TEST(json_at(got.body, "/name") == "Sales");
  BOOST_TEST(json_at(got.body, "/metrics/1/name") == "profit_margin");
  BOOST_TEST(json_at(got.body, "/metrics/1/display_name") == "Profit margin");
  BOOST_TEST(json_at(got.body, "/metrics/0/aggregation") == "sum");
  BOOST_TEST(json_at(got.body, "/dimensions/0/type") == "string");
  BOOST_TEST(json_at(got.body, "/entities/0/display_name") == "Products");
  auto again = request(p, "PUT", "/api/v1/connections/sales-db",
                       R"({"name":"Sales v2","metrics":[{"name":"volume"}]})", admin);
  BOOST_TEST(again.status == 200);
  BOOST_TEST(json_at(again.body, "/version") == "2");
  BOOST_TEST(json_at(again.body, "/metrics") ==
             R"([{"name":"volume","display_name":"volume","description":"","aggregation":""}])");
  request(p, "PUT", "/api/v1/connections/hr", R"({"name":"HR"})", admin);
  auto list = request(p, "GET", "/api/v1/connections", "", admin);
  BOOST_TEST(json_at(list.body, "/count") == "2");
  BOOST_TEST(json_at(list.body, "/connections/0/connection_id") == "hr");
  expect_error(request(p, "GET", "/api/v1/connections/none", "", admin), 404, "not_found");
}

BOOST_AUTO_TEST_CASE(only_admins_manage_catalogs_and_users) {
  served_db s;
  server_process srv{serve_args(s.db)};
  auto p = srv.port();
  auto analyst = token_for("analyst1");
  expect_error(request(p, "PUT", "/api/v1/connections/x", sales_catalog, analyst), 403, "forbidden");
  // Reading catalogs is for everyone: the console chooses preferences from them.
  request(p, "PUT", "/api/v1/connections/x", sales_catalog, token_for("admin1"));
  auto listed = request(p, "GET", "/api/v1/connections", "", analyst);
  BOOST_TEST(listed.status == 200, listed.body);
  BOOST_TEST(json_at(listed.body, "/connections/0/connection_id") == "x", listed.body);
  BOOST_TEST(request(p, "GET", "/api/v1/connections/x", "", analyst).status == 200);
  const std::string trader =
    R"({"id":"trader7","password":"trader-pass","role":"trader","department":"Markets","goals":["alpha"]})";
  expect_error(request(p, "POST", "/api/v1/users", trader, analyst), 403, "forbidden");
  auto created = request(p, "POST", "/api/v1/users", trader, token_for("admin1"));
  BOOST_TEST(created.status == 201, created.body);
  BOOST_TEST(json_at(created.body, "/role") == "trader");
  BOOST_TEST(json_at(created.body, "/goals") == R"(["alpha"])");
  BOOST_TEST(json_at(created.body, "/password") == "<missing>");
  expect_error(request(p, "POST", "/api/v1/users", trader, token_for("admin1")), 409, "conflict");
  auto login = request(p, "POST", "/api/v1/auth/token",
                       R"({"username":"trader7","password":"trader-pass"})");
  BOOST_TEST(login.status == 200, login.body);
}

BOOST_AUTO_TEST_SUITE_END()

// -- every error status -------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(client_errors_have_the_right_status_and_shape) {
  served_db s;
  server_process srv{serve_args(s.db, {"--max-body-bytes", "2048"})};
  auto p = srv.port();
  auto admin = token_for("admin1");
  expect_error(request(p, "PUT", "/api/v1/connections/x", "{\"name\":", admin), 400, "bad_request");
  expect_error(request(p, "GET", "/api/v1/nothing-here", "", admin), 404, "not_found");
  auto r405 = request(p, "DELETE", "/api/v1/connections/x", "", admin);
  expect_error(r405, 405, "method_not_allowed");
  BOOST_TEST(r405.header("allow") == "GET, PUT");
  expect_error(request(p, "PUT", "/api/v1/connections/x",
                       R"({"name":")" + std::string(4000, 'a') + "\"}", admin),
               413, "payload_too_large");
  expect_error(request(p, "PUT", "/api/v1/connections/x", sales_catalog, admin,
                       {{"Content-Type", "text/plain"}}),
               415, "unsupported_media_type");
  auto r422 = request(p, "PUT", "/api/v1/connections/x", R"({"name":"n","metrics":[{"name":7}]})", admin);
  expect_error(r422, 422, "validation_failed");
  BOOST_TEST(json_at(r422.body, "/error/field") == "metrics[0].name");
  auto head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(40000, 'a') + "\r\n\r\n";
  auto big = parse_replies(send_raw(p, head));
  BOOST_REQUIRE(big.size() == 1u);
  BOOST_TEST(big[0].status == 431);
  auto garbage = parse_replies(send_raw(p, "NOT HTTP AT ALL\r\n\r\n"));
  BOOST_REQUIRE(garbage.size() == 1u);
  BOOST_TEST(garbage[0].status == 400);
  BOOST_TEST(json_at(garbage[0].body, "/error/code") == "bad_request");
}

// Issue 14, item 6: `Transfer-Encoding: gzip` was read as a request without a body, so the body
// ran as a second, pipelined request. Each head below must be answered 400 and the connection
// closed: the smuggled request behind it never gets an answer.
BOOST_AUTO_TEST_CASE(framing_other_than_chunked_or_content_length_is_400_and_closes) {
  served_db s;
  server_process srv{serve_args(s.db)};
  auto p = srv.port();
  const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string chunked_smuggler = "0\r\n\r\n" + smuggled;
  for (const auto& [framing, body] : std::vector<std::pair<std::string, std::string>>{
         {"Transfer-Encoding: gzip\r\n", smuggled},
         {"Transfer-Encoding: chunked, gzip\r\n", smuggled},
         {"Transfer-Encoding: gzip, chunked\r\n", chunked_smuggler},
         {"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", smuggled},
         {"Transfer-Encoding: gzip\r\nContent-Length: " + std::to_string(smuggled.size()) +
            "\r\n", smuggled},
         {"Content-Length: " + std::to_string(smuggled.size()) +
            "\r\nTransfer-Encoding: gzip\r\n", smuggled},
         {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", chunked_smuggler},
         {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", chunked_smuggler}}) {
    BOOST_TEST_CONTEXT(framing) {
      auto raw = "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\n"
                 "Content-Type: application/json\r\n" +
                 framing + "\r\n" + body;
      auto bytes = send_raw(p, raw);
      auto replies = parse_replies(bytes);
      BOOST_REQUIRE(replies.size() == 1u);
      BOOST_TEST(replies[0].status == 400, bytes);
      BOOST_TEST(json_at(replies[0].body, "/error/code") == "bad_request");
      BOOST_TEST(replies[0].header("connection") == "close");
      BOOST_TEST(bytes.find("smuggled") == std::string::npos, bytes);
    }
  }
  // Chunked alone is served, and the connection stays usable for the next request.
  auto ok = parse_replies(send_raw(
    p, "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
       "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  BOOST_REQUIRE(ok.size() == 2u);
  BOOST_TEST(ok[0].status == 422, ok[0].body);
  BOOST_TEST(ok[1].status == 200);
}

BOOST_AUTO_TEST_CASE(too_many_requests_is_429_with_retry_after) {
  served_db s;
  server_process srv{serve_args(s.db, {"--rate-limit", "2"})};
  auto token = token_for("admin1");
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 10; ++i) {
    auto r = request(srv.port(), "GET", "/api/v1/connections", "", token);
    if (r.status == 429) {
      ++limited;
      retry_after = r.header("retry-after");
      BOOST_TEST(json_at(r.body, "/error/code") == "rate_limited");
    }
  }
  BOOST_TEST(limited >= 5);
  BOOST_TEST(!retry_after.empty());
}

BOOST_AUTO_TEST_CASE(database_failures_are_500_and_503_and_the_server_recovers) {
  served_db s;
  server_process srv{serve_args(s.db)};
  auto p = srv.port();
  auto admin = token_for("admin1");
  BOOST_TEST(request(p, "GET", "/api/v1/connections", "", admin).status == 200);
  {
    pqxx::connection c{s.db};
    pqxx::work tx{c};
    tx.exec("ALTER TABLE connections RENAME TO connections_away");
    tx.commit();
  }
  expect_error(request(p, "GET", "/api/v1/connections", "", admin), 500, "internal");
  {
    pqxx::connection c{s.db};
    pqxx::work tx{c};
    tx.exec("ALTER TABLE connections_away RENAME TO connections");
    tx.commit();
  }
  BOOST_TEST(request(p, "GET", "/api/v1/connections", "", admin).status == 200);
  // Take the database away entirely: refuse new connections and end the server's sessions.
  auto dbname = s.db.substr(s.db.rfind("dbname=") + 7);
  {
    pqxx::connection c{admin_conninfo()};
    pqxx::nontransaction tx{c};
    tx.exec("ALTER DATABASE " + dbname + " ALLOW_CONNECTIONS false");
    tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + dbname + "'");
  }
  auto down = request(p, "GET", "/readyz");
  BOOST_TEST(down.status == 503, down.body);
  BOOST_TEST(json_at(down.body, "/database") == "unreachable");
  auto unavailable = request(p, "PUT", "/api/v1/connections/x", sales_catalog, token_for("admin1"));
  expect_error(unavailable, 503, "unavailable");
  BOOST_TEST(!unavailable.header("retry-after").empty());
  {
    pqxx::connection c{admin_conninfo()};
    pqxx::nontransaction tx{c};
    tx.exec("ALTER DATABASE " + dbname + " ALLOW_CONNECTIONS true");
  }
  BOOST_TEST(request(p, "GET", "/readyz").status == 200);
  BOOST_TEST(request(p, "PUT", "/api/v1/connections/x", sales_catalog, admin).status == 201);
}

BOOST_AUTO_TEST_SUITE_END()

// -- operations -----------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(operations)

BOOST_AUTO_TEST_CASE(health_readiness_metrics_and_request_ids) {
  served_db s;
  server_process srv{serve_args(s.db)};
  auto p = srv.port();
  auto health = request(p, "GET", "/healthz");
  BOOST_TEST(health.status == 200);
  BOOST_TEST(json_at(health.body, "/status") == "ok");
  auto ready = request(p, "GET", "/readyz");
  BOOST_TEST(ready.status == 200, ready.body);
  BOOST_TEST(json_at(ready.body, "/status") == "ready");
  auto traced = request(p, "GET", "/healthz", "", "", {{"X-Request-Id", "trace-42"}});
  BOOST_TEST(traced.header("x-request-id") == "trace-42");
  BOOST_TEST(request(p, "GET", "/healthz").header("x-request-id").size() == 16u);
  request(p, "GET", "/api/v1/connections", "", token_for("admin1"));
  auto metrics = request(p, "GET", "/metrics");
  BOOST_TEST(metrics.status == 200);
  BOOST_TEST(metrics.header("content-type").find("text/plain") == 0u);
  for (auto* needle :
       {"foresight_http_requests_total{route=\"/api/v1/connections\",status=\"200\"} 1",
        "foresight_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"}",
        // --db-pool-size 4, plus the suggestion cache's write-behind worker
        "foresight_sessions_alive 1", "foresight_db_pool_workers 5"})
    BOOST_TEST(metrics.body.find(needle) != std::string::npos, needle << "\n" << metrics.body);
}

BOOST_AUTO_TEST_CASE(a_single_node_shows_itself_alone_to_admins_on_the_cluster_route) {
  served_db s;
  server_process srv{serve_args(s.db)};
  auto p = srv.port();
  auto admin = token_for("admin1");
  expect_error(request(p, "GET", "/api/v1/cluster"), 401, "unauthorized");
  expect_error(request(p, "GET", "/api/v1/cluster", "", token_for("analyst1")), 403, "forbidden");
  auto r = request(p, "GET", "/api/v1/cluster", "", admin);
  BOOST_TEST(r.status == 200, r.body);
  // The sessions: the admin's and the analyst's (made to learn they are not an admin).
  BOOST_TEST(r.body ==
               R"({"node_id":"local","clustered":false,"epoch":0,"learner_host":"local",)"
               R"("members":[{"id":"local","address":"","state":"alive","local":true,)"
               R"("last_heard_ms_ago":null,"sessions":2}]})",
             r.body);
  auto owned = request(p, "GET", "/api/v1/cluster?user=analyst1", "", admin);
  BOOST_TEST(owned.status == 200, owned.body);
  BOOST_TEST(json_at(owned.body, "/owner/user_id") == "analyst1", owned.body);
  BOOST_TEST(json_at(owned.body, "/owner/node") == "local", owned.body);
  auto bad = request(p, "GET", "/api/v1/cluster?user=no%20such", "", admin);
  expect_error(bad, 422, "validation_failed");
  BOOST_TEST(json_at(bad.body, "/error/field") == "user", bad.body);
}

BOOST_AUTO_TEST_CASE(a_request_past_its_deadline_is_504_and_the_late_answer_is_dropped) {
  served_db s;
  server_process srv{serve_args(s.db, {"--request-timeout-ms", "300"})};
  auto p = srv.port();
  // A new session loads its user first; hold that read up with a lock on the table.
  pqxx::connection holder{s.db};
  pqxx::work lock{holder};
  lock.exec("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
  auto started = std::chrono::steady_clock::now();
  auto late = request(p, "GET", "/api/v1/activity/preferences", "", token_for("analyst1"));
  auto waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started).count();
  expect_error(late, 504, "timeout");
  // Within the deadline plus the bridge's sweep period (a quarter of it), with slack for CI.
  BOOST_TEST(waited_ms < 1500);
  lock.abort();
  // The session answers once the lock is gone; its first (late) answer went nowhere.
  auto ok = request(p, "GET", "/api/v1/activity/preferences", "", token_for("analyst1"));
  BOOST_TEST(ok.status == 200, ok.body);
  BOOST_TEST(request(p, "GET", "/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(silent_slow_and_idle_connections_are_closed_at_their_deadlines) {
  served_db s;
  server_process srv{serve_args(s.db, {"--idle-timeout-ms", "300", "--read-timeout-ms", "300"})};
  auto p = srv.port();
  // Each is sent, then the server must close the connection well before the client's 5 s wait.
  struct slow_case {
    const char* what;
    std::string raw;
    std::size_t replies;
  };
  for (const auto& c : std::vector<slow_case>{
         {"nothing sent", "", 0},
         {"half a head", "GET /healthz HTTP/1.1\r\nHost: x\r\n", 0},
         {"half a body", "POST /api/v1/activity/log HTTP/1.1\r\nHost: x\r\n"
                         "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":", 0},
         {"kept alive, then idle", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 1}}) {
    auto started = std::chrono::steady_clock::now();
    auto bytes = send_raw(p, c.raw, 5000);
    auto waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(waited_ms < 2000, c.what << ": closed after " << waited_ms << " ms");
    auto replies = parse_replies(bytes);
    BOOST_TEST(replies.size() == c.replies, c.what << ": " << bytes);
    if (!replies.empty())
      BOOST_TEST(replies[0].status == 200);
  }
  BOOST_TEST(request(p, "GET", "/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(an_idle_session_is_retired_and_the_next_request_starts_a_new_one) {
  served_db s;
  // 1 s: a loaded machine must not stretch the gaps between the busy requests past it.
  server_process srv{serve_args(s.db, {"--session-idle-timeout-ms", "1000"})};
  auto p = srv.port();
  auto alive = [&] {
    auto m = request(p, "GET", "/metrics").body;
    auto at = m.find("\nforesight_sessions_alive ");
    return at == std::string::npos ? -1 : std::stoi(m.substr(at + 26));
  };
  BOOST_TEST(request(p, "GET", "/api/v1/activity/preferences", "", token_for("analyst1")).status == 200);
  BOOST_TEST(alive() == 1);
  // Busy: requests keep it alive past the timeout.
  for (int i = 0; i < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_TEST(request(p, "GET", "/api/v1/activity/history", "", token_for("analyst1")).status == 200);
  }
  BOOST_TEST(alive() == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  BOOST_TEST(alive() == 0);
  BOOST_TEST(request(p, "GET", "/api/v1/activity/preferences", "", token_for("analyst1")).status == 200);
  BOOST_TEST(alive() == 1);
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order_on_one_connection) {
  served_db s;
  server_process srv{serve_args(s.db)};
  std::string raw;
  for (auto* path : {"/healthz", "/readyz", "/nope", "/healthz"})
    raw += std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  raw += "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto replies = parse_replies(send_raw(srv.port(), raw));
  BOOST_REQUIRE(replies.size() == 5u);
  BOOST_TEST(replies[0].status == 200);
  BOOST_TEST(json_at(replies[1].body, "/status") == "ready");
  BOOST_TEST(replies[2].status == 404);
  BOOST_TEST(replies[4].status == 200);
}

BOOST_AUTO_TEST_CASE(connections_dealt_to_every_io_thread_are_answered) {
  served_db s;
  // Each IO thread has its own io_context and the listener deals connections out in turn, so
  // six connections reach each of the three threads twice.
  server_process srv{serve_args(s.db, {"--io-threads", "3"})};
  for (int i = 0; i < 6; ++i) {
    auto replies = parse_replies(
      send_raw(srv.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    BOOST_TEST_CONTEXT("connection " << i) {
      BOOST_REQUIRE(replies.size() == 2u);
      BOOST_TEST(replies[0].status == 200);
      BOOST_TEST(replies[1].status == 200);
    }
  }
}

// Request logs used to be written on the IO threads under one lock: a stdout that stopped
// draining stopped every request. Now lines queue (1 MiB) for a writer thread of their own.
BOOST_AUTO_TEST_CASE(a_blocked_stdout_never_stops_request_handling) {
  served_db s;
  auto args = serve_args(s.db);
  auto at = std::find(args.begin(), args.end(), "--log-requests");
  BOOST_REQUIRE(at != args.end());
  *(at + 1) = "true";
  server_process srv{args};
  srv.hold_output(true); // the pipe's 64 KiB fill up, then a write to stdout would block
  // About 2 MB of request lines (~200 bytes each): well past the log's 1 MiB queue and the
  // pipe's 64 KiB (6,000 lines were only ~70 KB past them, and one loaded run dropped none).
  const int requests = 10000;
  int ok = 0;
  for (int i = 0; i < requests; ++i)
    ok += request(srv.port(), "GET", "/healthz").status == 200;
  BOOST_TEST(ok == requests);
  auto metrics = request(srv.port(), "GET", "/metrics").body;
  auto dropped = metrics.find("\nforesight_log_lines_dropped_total ");
  BOOST_REQUIRE(dropped != std::string::npos);
  BOOST_TEST(std::stol(metrics.substr(dropped + 35)) > 0);
  srv.hold_output(false); // the queued lines follow (those that fitted), then logging goes on
  for (int i = 0; i < 200 && srv.output().find("after-9") == std::string::npos; ++i) {
    request(srv.port(), "GET", "/healthz", "", "", {{"X-Request-Id", "after-9"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_TEST(srv.output().find("after-9") != std::string::npos);
}

// Connections still open at shutdown (idle, half a head sent, a request waiting for the
// database) are destroyed with the IO contexts, after the state they use: under
// AddressSanitizer (./foresight test --asan) a wrong order is a use after free.
BOOST_AUTO_TEST_CASE(sigterm_with_connections_open_exits_zero) {
  served_db s;
  server_process srv{serve_args(s.db)};
  std::vector<int> fds;
  for (int i = 0; i < 16; ++i)
    fds.push_back(connect_local(srv.port()));
  for (int i = 0; i < 4; ++i) {
    auto fd = connect_local(srv.port());
    std::string half = "POST /api/v1/activity/log HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n";
    BOOST_REQUIRE(::send(fd, half.data(), half.size(), MSG_NOSIGNAL) > 0);
    fds.push_back(fd);
  }
  BOOST_TEST(request(srv.port(), "GET", "/healthz").status == 200);
  BOOST_TEST(srv.stop(SIGTERM) == 0, srv.output());
  BOOST_TEST(srv.output().find("AddressSanitizer") == std::string::npos, srv.output());
  for (int fd : fds)
    ::close(fd);
}

BOOST_AUTO_TEST_CASE(sigterm_drains_and_exits_zero) {
  served_db s;
  server_process srv{serve_args(s.db, {"--log-requests", "true"})};
  BOOST_TEST(request(srv.port(), "GET", "/healthz").status == 200);
  BOOST_TEST(srv.stop(SIGTERM) == 0);
  auto out = srv.output();
  BOOST_TEST(out.find("\"msg\":\"request\"") != std::string::npos, out);
  BOOST_TEST(out.find("\"request_id\":") != std::string::npos);
  BOOST_TEST(out.find("\"msg\":\"stopped\"") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
