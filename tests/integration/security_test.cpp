// Security: each defect of issue 14 owned here, reproduced against real foresightd processes and
// a real PostgreSQL (the embedded cluster's access rules, login floods, demo credentials and
// password changes, secrets on command lines and in logs, and the audit trail).
#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "core/password_hash.hpp"
#include "storage/store_set.hpp"
#include "storage/embedded_postgres.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/json_assert.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/support/mock_openai.hpp"

using namespace foresight;
using namespace foresight::testing;
namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

namespace {

/// A private temporary directory, removed at the end of the test.
struct temp_dir {
  std::string path;
  explicit temp_dir(std::string prefix = "/tmp/foresight-sec-") {
    auto tmpl = prefix + "XXXXXX";
    path = mkdtemp(tmpl.data());
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

mode_t mode_of(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

/// Runs `psql` as another OS user against a socket directory; its exit status and output.
std::pair<int, std::string> psql_as(const std::string& user, const std::string& socket_dir) {
  temp_dir out;
  chmod(out.path.c_str(), 0777);
  auto group = user == "nobody" ? std::string("nogroup") : user;
  auto cmd = "setpriv --reuid=" + user + " --regid=" + group + " --clear-groups " +
             "psql -X -w -h '" + socket_dir + "' -p 5432 -U foresight -d postgres " +
             "-c 'SELECT count(*) FROM pg_authid' > " + out.path + "/out 2>&1";
  int status = std::system(cmd.c_str());
  std::ifstream in(out.path + "/out");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, text};
}

/// A user whose password hash costs `iterations`, straight into the database.
void add_user_hashed(const std::string& db, const std::string& id, const std::string& password,
                     int iterations, bool admin = false) {
  store_set d{db};
  d.schema.migrate();
  new_user u{id, id, password, "analyst", "Test", "[]", admin, {}};
  d.users.insert_user(u, password_hash(password, iterations), "test");
}

http_reply login(std::uint16_t port, const std::string& user, const std::string& password) {
  return request(port, "POST", "/api/v1/auth/token",
                 R"({"username":")" + user + R"(","password":")" + password + R"("})");
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds_since(steady::time_point t0) {
  return std::chrono::duration<double>(steady::now() - t0).count();
}

} // namespace

// -- item 1: the embedded cluster lets no other local account in --------------------------------

BOOST_AUTO_TEST_SUITE(embedded_cluster_access)

BOOST_AUTO_TEST_CASE(another_os_user_is_refused_and_the_secret_and_socket_are_private) {
  BOOST_REQUIRE_MESSAGE(geteuid() == 0, "needs root to act as other users");
  temp_dir dir;
  embedded_postgres pg{dir.path};
  auto conninfo = pg.start();
  BOOST_TEST(conninfo.find("passfile=") != std::string::npos);
  std::ifstream secret(pg.password_file());
  std::string line;
  std::getline(secret, line);
  BOOST_TEST(line.size() > 40u, "a generated password in libpq's passfile format");
  BOOST_TEST(conninfo.find(line.substr(line.rfind(':') + 1)) == std::string::npos);
  {
    pqxx::connection c{conninfo}; // foresightd itself gets in
    BOOST_TEST(c.is_open());
  }
  BOOST_TEST(mode_of(pg.password_file()) == 0600u);
  BOOST_TEST(mode_of(pg.socket_dir()) == 0700u);
  BOOST_TEST((mode_of(pg.socket_dir() + "/.s.PGSQL.5432") & 0077) == 0u, "socket mode");
  // Another account cannot reach the socket; the cluster's own account has no password.
  auto [nobody_status, nobody_out] = psql_as("nobody", pg.socket_dir());
  BOOST_TEST(nobody_status != 0, nobody_out);
  BOOST_TEST(nobody_out.find("Permission denied") != std::string::npos, nobody_out);
  auto [owner_status, owner_out] = psql_as("postgres", pg.socket_dir());
  BOOST_TEST(owner_status != 0, owner_out);
  BOOST_TEST(owner_out.find("password") != std::string::npos, owner_out);
}

BOOST_AUTO_TEST_CASE(a_cluster_made_with_trust_gets_a_password_on_the_next_start) {
  BOOST_REQUIRE(geteuid() == 0);
  temp_dir dir;
  {
    embedded_postgres pg{dir.path};
    pqxx::connection c{pg.start()};
    pqxx::nontransaction tx{c};
    // What an older foresightd left: trust for everyone, no password, no password file.
    tx.exec("ALTER ROLE foresight PASSWORD NULL");
    std::ofstream(dir.path + "/postgres/pg_hba.conf", std::ios::trunc)
      << "local all all trust\n";
    fs::remove(pg.password_file());
  }
  embedded_postgres pg{dir.path};
  pqxx::connection c{pg.start()};
  BOOST_TEST(c.is_open());
  BOOST_TEST(mode_of(pg.password_file()) == 0600u);
  std::ifstream hba(dir.path + "/postgres/pg_hba.conf");
  std::string text((std::istreambuf_iterator<char>(hba)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("trust") == std::string::npos, text);
  BOOST_TEST(text.find("scram-sha-256") != std::string::npos, text);
  auto [status, out] = psql_as("postgres", pg.socket_dir());
  BOOST_TEST(status != 0, out);
}

BOOST_AUTO_TEST_CASE(a_long_data_path_gets_an_unguessable_private_socket_directory) {
  temp_dir dir;
  chmod(dir.path.c_str(), 0711); // the cluster's owner must reach the data directory below
  auto deep = dir.path + "/" + std::string(90, 'd');
  std::string first;
  {
    embedded_postgres pg{deep};
    pqxx::connection c{pg.start()};
    first = pg.socket_dir();
    BOOST_TEST(first.rfind("/tmp/foresight-pg-", 0) == 0u, first);
    BOOST_TEST(mode_of(first) == 0700u);
    BOOST_TEST(std::regex_match(first, std::regex("/tmp/foresight-pg-[A-Za-z0-9]{6}")), first);
  }
  {
    embedded_postgres again{deep};
    pqxx::connection c{again.start()};
    BOOST_TEST(again.socket_dir() == first, "reused while it is still private");
  }
  // A directory someone else could write to is never reused.
  chmod(first.c_str(), 0777);
  embedded_postgres third{deep};
  pqxx::connection c{third.start()};
  BOOST_TEST(third.socket_dir() != first);
  BOOST_TEST(mode_of(third.socket_dir()) == 0700u);
  third.stop();
  fs::remove_all(third.socket_dir());
  fs::remove_all(first);
}

BOOST_AUTO_TEST_SUITE_END()

// -- item 3: a login flood hurts no one else ------------------------------------------------------

BOOST_AUTO_TEST_SUITE(login_flood)

BOOST_AUTO_TEST_CASE(concurrent_bad_logins_get_429_while_other_users_history_answers_in_time) {
  auto db = fresh_database();
  add_user(db, "reader", "analyst", false);
  // A password hash that takes a while to check, as real ones do.
  add_user_hashed(db, "victim", "victim-password", 300000);
  server_process server{serve_args(db, {"--login-rate-per-address", "0", "--login-rate-per-user",
                                        "0", "--password-threads", "1", "--password-queue-max",
                                        "4", "--db-pool-size", "2", "--request-timeout-ms",
                                        "3000"})};
  auto port = server.port();
  auto reader = token_for("reader");
  std::atomic<bool> flooding{true};
  std::atomic<int> unauthorized{0}, limited{0}, other{0}, limited_without_retry_after{0};
  std::vector<std::thread> attackers;
  for (int t = 0; t < 64; ++t)
    attackers.emplace_back([&] {
      while (flooding) {
        auto r = login(port, "victim", "wrong-guess");
        if (r.status == 401)
          ++unauthorized;
        else if (r.status == 429) {
          ++limited;
          if (r.header("retry-after").empty())
            ++limited_without_retry_after;
        } else
          ++other;
      }
    });
  std::vector<double> latencies;
  int history_ok = 0;
  auto until = steady::now() + std::chrono::seconds(4);
  while (steady::now() < until) {
    auto t0 = steady::now();
    auto r = request(port, "GET", "/api/v1/activity/history?limit=5", "", reader);
    latencies.push_back(seconds_since(t0));
    history_ok += r.status == 200;
    BOOST_TEST(r.status == 200, r.status << " " << r.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  flooding = false;
  for (auto& t : attackers)
    t.join();
  BOOST_TEST(history_ok == static_cast<int>(latencies.size()));
  auto worst = *std::max_element(latencies.begin(), latencies.end());
  BOOST_TEST(worst < 1.0, "slowest history request took " << worst << " s");
  BOOST_TEST(limited > 0, "no login was refused with 429");
  BOOST_TEST(limited_without_retry_after == 0);
  BOOST_TEST(unauthorized > 0, "some bad logins were checked");
  BOOST_TEST(other == 0);
  // The flood is over: the real password works at once.
  BOOST_TEST(login(port, "victim", "victim-password").status == 200);
}

BOOST_AUTO_TEST_CASE(checks_that_waited_past_the_deadline_are_skipped_not_run) {
  auto db = fresh_database();
  add_user_hashed(db, "victim", "victim-password", 1000000); // 0.1-0.5 s a check

  server_process server{serve_args(db, {"--login-rate-per-address", "0", "--login-rate-per-user",
                                        "0", "--password-threads", "1", "--password-queue-max",
                                        "16", "--request-timeout-ms", "400"})};
  std::atomic<int> checked{0}, skipped{0}, refused{0};
  std::vector<std::thread> clients;
  auto t0 = steady::now();
  for (int i = 0; i < 17; ++i)
    clients.emplace_back([&] {
      auto r = login(server.port(), "victim", "wrong-guess");
      (r.status == 401 ? checked : r.status == 504 ? skipped : refused)++;
    });
  for (auto& t : clients)
    t.join();
  auto took = seconds_since(t0);
  BOOST_TEST_MESSAGE(checked << " checked, " << skipped << " skipped, " << refused
                             << " refused in " << took << " s");
  BOOST_TEST(checked + skipped + refused == 17);
  BOOST_TEST(skipped > 0, "checks whose client had given up still ran");
  BOOST_TEST(checked < 10);
  BOOST_TEST(took < checked * 0.5 + 1.5, "the skipped checks cost no time");
}

BOOST_AUTO_TEST_CASE(per_address_and_per_user_limits_are_on_by_default) {
  auto db = fresh_database();
  add_user(db, "alice", "analyst", false);
  {
    server_process server{serve_args(db)};
    int first_429 = 0;
    for (int i = 1; i <= 40 && first_429 == 0; ++i) {
      auto r = login(server.port(), "user" + std::to_string(i), "wrong-password");
      if (r.status == 429) {
        first_429 = i;
        BOOST_TEST(std::stoi(r.header("retry-after")) >= 1);
        BOOST_TEST(json_at(r.body, "/error/code") == "rate_limited", r.body);
      } else
        BOOST_TEST(r.status == 401);
    }
    BOOST_TEST(first_429 == 31, "one address: a burst of 30 logins, then 429");
  }
  server_process server{serve_args(db, {"--login-rate-per-address", "0"})};
  int first_429 = 0;
  for (int i = 1; i <= 10 && first_429 == 0; ++i) {
    auto r = login(server.port(), "alice", "wrong-password");
    if (r.status == 429)
      first_429 = i;
  }
  BOOST_TEST(first_429 == 7, "one username: a burst of 6 logins, then 429");
  BOOST_TEST(login(server.port(), "bob", "wrong-password").status == 401, "others are not held");
}

BOOST_AUTO_TEST_CASE(unknown_and_known_users_take_comparable_time) {
  auto db = fresh_database();
  add_user_hashed(db, "known", "known-password", 100000);
  // The server hashes new passwords with 1000 iterations (serve_args), the stored hash has
  // 100000: an unknown user must cost what the known one does, not what new hashes would.
  server_process server{serve_args(db, {"--login-rate-per-address", "0", "--login-rate-per-user",
                                        "0"})};
  std::vector<double> known, unknown;
  for (int i = 0; i < 9; ++i) {
    auto t0 = steady::now();
    BOOST_TEST(login(server.port(), "known", "wrong-password").status == 401);
    known.push_back(seconds_since(t0));
    t0 = steady::now();
    auto r = login(server.port(), "nobody-" + std::to_string(i), "wrong-password");
    unknown.push_back(seconds_since(t0));
    BOOST_TEST(r.status == 401);
  }
  auto k = median(known), u = median(unknown);
  BOOST_TEST_MESSAGE("median login: known " << k << " s, unknown " << u << " s");
  BOOST_TEST(u * 3 > k, "unknown " << u << " s vs known " << k << " s");
  BOOST_TEST(k * 3 > u, "unknown " << u << " s vs known " << k << " s");
}

BOOST_AUTO_TEST_SUITE_END()

// -- item 4: demo credentials and password changes ------------------------------------------------

BOOST_AUTO_TEST_SUITE(passwords)

BOOST_AUTO_TEST_CASE(demo_data_is_refused_on_a_reachable_address) {
  temp_dir dir;
  // The fixture throws with the output when serve exits instead of listening.
  BOOST_CHECK_EXCEPTION(
    server_process({"serve", "--demo", "--bind", "0.0.0.0", "--port", "0", "--data-dir", dir.path}),
    std::runtime_error, [](const std::runtime_error& e) {
      return std::string(e.what()).find("for a loopback address only") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(demo_passwords_are_random_and_shown_once) {
  temp_dir dir;
  auto args = std::vector<std::string>{"serve", "--demo", "--port", "0", "--data-dir", dir.path,
                                       "--pbkdf2-iterations", "1000"};
  std::string password;
  {
    server_process first{args};
    std::smatch m;
    // The logins are printed just after the "listening" line the fixture waits for.
    auto out = first.output();
    for (int i = 0; i < 100 && out.find("Log in:") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      out = first.output();
    }
    BOOST_REQUIRE_MESSAGE(std::regex_search(out, m, std::regex("admin / ([0-9a-f]{24})")), out);
    password = m[1].str();
    BOOST_TEST(out.find("Bearer") == std::string::npos, "no token is printed");
    BOOST_TEST(login(first.port(), "admin", "admin-demo-password").status == 401);
    BOOST_TEST(login(first.port(), "admin", password).status == 200);
    first.stop();
  }
  server_process second{args};
  BOOST_TEST(second.output().find(password) == std::string::npos, "shown only when created");
  BOOST_TEST(login(second.port(), "admin", password).status == 200);
}

BOOST_AUTO_TEST_CASE(admins_reset_anyone_users_change_their_own_and_old_tokens_stop_working) {
  auto db = fresh_database();
  add_user(db, "admin1", "admin", true, "admin-password");
  add_user(db, "ana", "analyst", false, "ana-password");
  server_process server{serve_args(db)};
  auto port = server.port();
  auto admin = json_at(login(port, "admin1", "admin-password").body, "/access_token");
  auto ana = json_at(login(port, "ana", "ana-password").body, "/access_token");
  auto put = [&](const std::string& user, const std::string& body, const std::string& token) {
    return request(port, "PUT", "/api/v1/users/" + user + "/password", body, token);
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // tokens carry whole seconds
  // A user for themselves: only with their current password.
  auto r = put("ana", R"({"password":"ana-new-password"})", ana);
  BOOST_TEST(r.status == 422, r.body);
  BOOST_TEST(json_at(r.body, "/error/field") == "current_password");
  r = put("ana", R"({"password":"ana-new-password","current_password":"wrong"})", ana);
  BOOST_TEST(r.status == 403, r.body);
  BOOST_TEST(put("admin1", R"({"password":"taken-over!","current_password":"ana-password"})", ana)
               .status == 403);
  r = put("ana", R"({"password":"ana-new-password","current_password":"ana-password"})", ana);
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(request(port, "GET", "/api/v1/activity/history", "", ana).status == 401,
             "the token from before the change is revoked");
  BOOST_TEST(login(port, "ana", "ana-password").status == 401);
  auto fresh = login(port, "ana", "ana-new-password");
  BOOST_TEST(fresh.status == 200);
  BOOST_TEST(request(port, "GET", "/api/v1/activity/history", "",
                     json_at(fresh.body, "/access_token")).status == 200);
  // An admin for anyone, without their password.
  r = put("ana", R"({"password":"reset-by-admin"})", admin);
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(login(port, "ana", "reset-by-admin").status == 200);
  BOOST_TEST(put("ghost", R"({"password":"whatever-123"})", admin).status == 404);
  BOOST_TEST(put("ana", R"({"password":"short"})", admin).status == 422);
  // A restarted server still refuses the tokens from before the change.
  server.stop();
  server_process again{serve_args(db)};
  BOOST_TEST(request(again.port(), "GET", "/api/v1/activity/history", "", ana).status == 401);
}

BOOST_AUTO_TEST_CASE(guessing_the_current_password_is_limited_like_logins) {
  auto db = fresh_database();
  add_user(db, "ana", "analyst", false, "ana-password");
  server_process server{serve_args(db)};
  auto ana = token_for("ana");
  int first_429 = 0;
  for (int i = 1; i <= 10 && first_429 == 0; ++i) {
    auto r = request(server.port(), "PUT", "/api/v1/users/ana/password",
                     R"({"password":"new-password","current_password":"guess-)" +
                       std::to_string(i) + R"("})",
                     ana);
    if (r.status == 429) {
      first_429 = i;
      BOOST_TEST(!r.header("retry-after").empty());
    } else
      BOOST_TEST(r.status == 403);
  }
  BOOST_TEST(first_429 == 7, "a burst of 6 guesses, then 429");
}

BOOST_AUTO_TEST_CASE(the_passwd_subcommand_reads_the_new_password_from_stdin) {
  auto db = fresh_database();
  add_user(db, "ana", "analyst", false, "ana-password");
  server_process passwd{{"user", "passwd", "--id", "ana", "--database-url", db,
                         "--pbkdf2-iterations", "1000"},
                        {},
                        "from-stdin-password\n"};
  BOOST_TEST(passwd.wait() == 0, passwd.output());
  server_process add{{"user", "add", "--id", "bo", "--role", "analyst", "--password-stdin",
                      "--database-url", db, "--pbkdf2-iterations", "1000"},
                     {},
                     "bo-stdin-password\n"};
  BOOST_TEST(add.wait() == 0, add.output());
  server_process server{serve_args(db)};
  BOOST_TEST(login(server.port(), "ana", "from-stdin-password").status == 200);
  BOOST_TEST(login(server.port(), "ana", "ana-password").status == 401);
  BOOST_TEST(login(server.port(), "bo", "bo-stdin-password").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

// -- item 9: secrets never on a command line, in a log or in an error ----------------------------

BOOST_AUTO_TEST_SUITE(secrets)

BOOST_AUTO_TEST_CASE(secrets_given_as_options_leave_the_command_line) {
  auto db = fresh_database();
  const std::string jwt = "argv-jwt-secret-0123456789abcdef0123456789";
  const std::string key = "sk-argv-llm-key-987654321";
  server_process server{{"serve", "--port", "0", "--database-url", db, "--jwt-secret", jwt,
                         "--llm-api-key", key, "--log-requests", "false"}};
  std::ifstream in("/proc/" + std::to_string(server.pid()) + "/cmdline");
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(!cmdline.empty());
  BOOST_TEST(cmdline.find(jwt) == std::string::npos, cmdline);
  BOOST_TEST(cmdline.find(key) == std::string::npos, cmdline);
  BOOST_TEST(cmdline.find("--jwt-secret") == std::string::npos, cmdline);
  // The secret still signs: a token made with it is accepted.
  add_user(db, "ana", "analyst", false);
  BOOST_TEST(login(server.port(), "ana", "password-123").status == 200);
}

BOOST_AUTO_TEST_CASE(a_whole_run_s_logs_carry_none_of_the_secrets_it_used) {
  // With FORESIGHT_TEST_DATABASE_URL there is no cluster password of ours to put in the URL.
  auto password = database_password();
  temp_dir dir;
  const std::string jwt = "file-jwt-secret-abcdef0123456789abcdef0123";
  const std::string key = "sk-file-llm-key-1122334455";
  const std::string marker = "PRIVATE-CUSTOMER-4111-1111";
  mock_openai mock;
  mock.respond_with({mock_behavior::ok,
                     R"({"suggestions":[{"text":"Revenue by region","type":"trend"}]})"});
  auto db = fresh_database();
  add_user(db, "admin1", "admin", true, "admin-login-pw-1");
  add_user(db, "ana", "analyst", false, "ana-login-pw-2");
  // The database URL with the password in it (libpq keyword form), from a file.
  auto url = password.empty() ? db
                              : db.substr(0, db.find(" passfile=")) +
                                  db.substr(db.rfind(" dbname=")) + " password=" + password;
  std::ofstream(dir.path + "/jwt") << jwt << "\n";
  std::ofstream(dir.path + "/key") << key << "\n";
  std::ofstream(dir.path + "/db") << url << "\n";
  std::string logs;
  {
    server_process server{{"serve", "--port", "0", "--jwt-secret-file", dir.path + "/jwt",
                           "--llm-api-key-file", dir.path + "/key", "--database-url-file",
                           dir.path + "/db", "--llm-base-url", mock.base_url(),
                           "--pbkdf2-iterations", "1000", "--log-requests", "true"}};
    auto port = server.port();
    auto admin = json_at(login(port, "admin1", "admin-login-pw-1").body, "/access_token");
    auto ana = json_at(login(port, "ana", "ana-login-pw-2").body, "/access_token");
    BOOST_TEST(login(port, "ana", "wrong-login-pw-3").status == 401);
    BOOST_TEST(request(port, "PUT", "/api/v1/connections/sales", R"({"name":"Sales",
      "metrics":[{"name":"revenue","display_name":"Revenue","aggregation":"sum"}],
      "dimensions":[{"name":"region","display_name":"Region","type":"string"}],"entities":[]})",
                       admin).status == 201);
    auto s = request(port, "POST",
                     "/api/v1/connections/sales/suggestions/personalized?partial_query=rev", "",
                     ana);
    BOOST_TEST(s.status == 200, s.body);
    BOOST_TEST(mock.last_authorization() == "Bearer " + key);
    // A database call that fails on the user's data: PostgreSQL quotes it back in CONTEXT.
    auto r = request(port, "POST", "/api/v1/activity/log",
                     R"({"activity_type":"chat","query_text":"hi","metadata":{"note":")" +
                       marker + R"(\u0000"}})",
                     ana);
    BOOST_TEST_MESSAGE("activity with NUL: " << r.status);
    BOOST_TEST(r.body.find(marker) == std::string::npos, r.body);
    server.stop();
    logs = server.output();
  }
  BOOST_TEST(logs.find("\"msg\":\"stopped\"") != std::string::npos, logs);
  if (!password.empty())
    BOOST_TEST(logs.find(password) == std::string::npos, logs);
  for (auto& secret : {jwt, key, std::string("admin-login-pw-1"),
                       std::string("ana-login-pw-2"), std::string("wrong-login-pw-3"), marker})
    BOOST_TEST(logs.find(secret) == std::string::npos, "found '" << secret << "' in:\n" << logs);
  // A connection error does not repeat the URL's password.
  std::ofstream(dir.path + "/bad") << "postgresql://app:url-password-77@127.0.0.1:1/x\n";
  server_process bad{{"migrate", "--database-url-file", dir.path + "/bad"}};
  BOOST_TEST(bad.wait() != 0);
  BOOST_TEST(bad.output().find("url-password-77") == std::string::npos, bad.output());
}

BOOST_AUTO_TEST_SUITE_END()

// -- the audit trail of admin actions -------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(audit)

BOOST_AUTO_TEST_CASE(admin_actions_are_recorded_and_readable_by_admins_page_by_page) {
  auto db = fresh_database();
  add_user(db, "admin1", "admin", true);
  add_user(db, "ana", "analyst", false);
  server_process server{serve_args(db)};
  auto port = server.port();
  auto admin = token_for("admin1");
  BOOST_TEST(request(port, "POST", "/api/v1/users",
                     R"({"id":"trader7","password":"trader-pass","role":"trader"})", admin)
               .status == 201);
  BOOST_TEST(request(port, "PUT", "/api/v1/connections/sales", R"({"name":"Sales","metrics":[],
    "dimensions":[],"entities":[]})", admin).status == 201);
  BOOST_TEST(request(port, "GET", "/api/v1/audit", "", token_for("ana")).status == 403);
  BOOST_TEST(request(port, "PUT", "/api/v1/users/ana/password", R"({"password":"new-ana-pass"})",
                     admin).status == 200);
  auto r = request(port, "GET", "/api/v1/audit?limit=2", "", admin);
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(json_at(r.body, "/count") == "2");
  BOOST_TEST(json_at(r.body, "/entries/0/action") == "password_reset", r.body);
  BOOST_TEST(json_at(r.body, "/entries/0/actor") == "admin1");
  BOOST_TEST(json_at(r.body, "/entries/0/target") == "ana");
  BOOST_TEST(json_at(r.body, "/entries/1/action") == "catalog_changed");
  BOOST_TEST(json_at(r.body, "/entries/1/detail/version") == "1");
  auto next = json_at(r.body, "/next_before_id");
  r = request(port, "GET", "/api/v1/audit?limit=2&before_id=" + next, "", admin);
  BOOST_TEST(json_at(r.body, "/entries/0/action") == "user_created", r.body);
  BOOST_TEST(json_at(r.body, "/entries/0/target") == "trader7");
  BOOST_TEST(json_at(r.body, "/entries/0/detail/role") == "trader");
  BOOST_TEST(r.body.find("trader-pass") == std::string::npos);
  BOOST_TEST(json_at(r.body, "/entries/0/created_at") != "<missing>");
}

BOOST_AUTO_TEST_SUITE_END()
