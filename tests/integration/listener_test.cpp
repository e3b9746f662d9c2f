// The listener under pressure and over TLS: connection caps, running out of descriptors, and a
// real TLS client (curl) against a certificate made for the run.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "tests/integration/http_client.hpp"
#include "tests/integration/json_assert.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/support/self_signed.hpp"

using namespace foresight::testing;
using namespace std::chrono_literals;

namespace {

const std::string healthz = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

long long elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
    .count();
}

/// The status of /healthz asked from `source`, 0 if no answer came.
int health_status(std::uint16_t port, const std::string& source = "127.0.0.1") {
  auto replies = parse_replies(send_raw(port, healthz, 3000, source));
  return replies.empty() ? 0 : replies[0].status;
}

/// Asks /healthz from 127.0.0.1 until it answers 200 or `within` passes; true if it did.
bool healthy_within(std::uint16_t port, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (health_status(port) == 200)
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

/// CPU time (user + system) `pid` has used, in seconds, from /proc/<pid>/stat.
double cpu_seconds(int pid) {
  auto f = proc_stat_fields("/proc/" + std::to_string(pid) + "/stat");
  BOOST_REQUIRE(f.size() > 12u);
  return (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// A value of the Prometheus text `metrics` (the first line starting with `name `), or -1.
long long metric(const std::string& metrics, const std::string& name) {
  auto at = metrics.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + name.size() + 2));
}

void close_all(std::vector<int>& fds) {
  for (int fd : fds)
    ::close(fd);
  fds.clear();
}

} // namespace

BOOST_AUTO_TEST_SUITE(connection_limits)

// Issue 14, item 5: idle connections from one client used up the server. Past the per-address
// cap each new one is answered 503 and closed, and other clients are served as before.
BOOST_AUTO_TEST_CASE(idle_connections_past_the_per_address_cap_get_503_and_others_are_served) {
  auto db = fresh_database();
  server_process srv{serve_args(db, {"--max-connections-per-address", "4"})};
  auto p = srv.port();
  std::vector<int> idle;
  for (int i = 0; i < 24; ++i)
    idle.push_back(connect_local(p));
  int refused = 0;
  for (std::size_t i = 4; i < idle.size(); ++i) {
    auto bytes = read_until_closed(idle[i], 2000);
    auto replies = parse_replies(bytes);
    BOOST_TEST_CONTEXT("connection " << i << ": " << bytes) {
      BOOST_REQUIRE(replies.size() == 1u);
      BOOST_TEST(replies[0].status == 503);
      BOOST_TEST(json_at(replies[0].body, "/error/code") == "unavailable");
      BOOST_TEST(replies[0].header("retry-after") == "1");
      BOOST_TEST(replies[0].header("connection") == "close");
      refused += replies[0].status == 503;
    }
  }
  BOOST_TEST(refused == 20);
  // The first four are kept open, waiting for a request.
  for (int i = 0; i < 4; ++i) {
    pollfd pfd{idle[i], POLLIN, 0};
    BOOST_TEST(::poll(&pfd, 1, 50) == 0, "connection " << i << " was answered or closed");
  }
  // Another address is served at once; the capped one is refused.
  auto started = std::chrono::steady_clock::now();
  BOOST_TEST(health_status(p, "127.0.0.2") == 200);
  BOOST_TEST(elapsed_ms(started) < 1000);
  BOOST_TEST(health_status(p) != 200);
  auto metrics = parse_replies(send_raw(p, "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                                           "Connection: close\r\n\r\n", 3000, "127.0.0.3"));
  BOOST_REQUIRE(metrics.size() == 1u);
  BOOST_TEST(metric(metrics[0].body, "foresight_http_connections_refused_total") >= 21);
  // Once the idle connections go, their address is served again.
  close_all(idle);
  BOOST_TEST(healthy_within(p, 3000ms));
}

BOOST_AUTO_TEST_CASE(past_the_total_cap_every_address_gets_503) {
  auto db = fresh_database();
  server_process srv{serve_args(db, {"--max-connections", "3"})};
  auto p = srv.port();
  std::vector<int> idle;
  for (auto* source : {"127.0.0.1", "127.0.0.2", "127.0.0.3"})
    idle.push_back(connect_local(p, source));
  std::this_thread::sleep_for(200ms); // accepted and counted
  auto fourth = connect_local(p, "127.0.0.4");
  auto replies = parse_replies(read_until_closed(fourth, 2000));
  ::close(fourth);
  BOOST_REQUIRE(replies.size() == 1u);
  BOOST_TEST(replies[0].status == 503);
  BOOST_TEST(json_at(replies[0].body, "/error/message") ==
             "the server has too many open connections");
  close_all(idle);
  BOOST_TEST(healthy_within(p, 3000ms));
}

// Issue 14, item 5: with `ulimit -n 128` and about 120 idle connections the accept loop burnt
// 86% of a core and /healthz timed out. The caps are set above the limit here on purpose, so
// that accepting itself runs out of descriptors: the listener must pause, not spin.
BOOST_AUTO_TEST_CASE(out_of_descriptors_the_listener_pauses_instead_of_spinning) {
  auto db = fresh_database();
  server_process srv{serve_args(db, {"--max-connections", "100000",
                                     "--max-connections-per-address", "0"}),
                     {}, {}, 128};
  auto p = srv.port();
  std::vector<int> idle;
  for (int i = 0; i < 160; ++i)
    idle.push_back(connect_local(p));
  std::this_thread::sleep_for(500ms); // it has accepted what it can
  auto before = cpu_seconds(srv.pid());
  std::this_thread::sleep_for(2s);
  auto used = cpu_seconds(srv.pid()) - before;
  BOOST_TEST_MESSAGE("CPU time over 2 s with 160 idle connections and 128 descriptors: " << used
                                                                                           << " s");
  BOOST_TEST(used < 0.3); // spinning costs about 2 s here
  auto started = std::chrono::steady_clock::now();
  close_all(idle);
  BOOST_TEST(healthy_within(p, 5000ms));
  BOOST_TEST_MESSAGE("healthy " << elapsed_ms(started) << " ms after the connections closed");
  auto metrics = parse_replies(send_raw(p, "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                                           "Connection: close\r\n\r\n"));
  BOOST_REQUIRE(metrics.size() == 1u);
  BOOST_TEST(metric(metrics[0].body, "foresight_http_accept_pauses_total") > 0);
  BOOST_TEST(srv.output().find("\"msg\":\"accept paused\"") != std::string::npos);
}

// The default total cap leaves descriptors for the rest of the process, so under the same limit
// a connection past it is refused at once (it does not wait in the backlog) and nothing runs out.
BOOST_AUTO_TEST_CASE(under_a_low_descriptor_limit_the_default_cap_refuses_at_once) {
  auto db = fresh_database();
  server_process srv{serve_args(db), {}, {}, 128};
  auto p = srv.port();
  // 128 less the reserve of 64 + 2 x 4 storage connections + 8 LLM calls.
  BOOST_TEST(srv.output().find("\"msg\":\"connection caps\",\"total\":48,") != std::string::npos,
             srv.output());
  std::vector<int> idle;
  for (int i = 0; i < 160; ++i)
    idle.push_back(connect_local(p));
  int refused = 0;
  for (std::size_t i = 48; i < idle.size(); ++i) {
    auto replies = parse_replies(read_until_closed(idle[i], 2000));
    refused += replies.size() == 1u && replies[0].status == 503;
  }
  BOOST_TEST(refused == 112);
  auto descriptors = std::distance(
    std::filesystem::directory_iterator("/proc/" + std::to_string(srv.pid()) + "/fd"),
    std::filesystem::directory_iterator{});
  BOOST_TEST_MESSAGE("descriptors open with 48 idle connections: " << descriptors);
  BOOST_TEST(descriptors < 128);
  auto started = std::chrono::steady_clock::now();
  BOOST_TEST(health_status(p, "127.0.0.2") == 503);
  BOOST_TEST(elapsed_ms(started) < 1000);
  close_all(idle);
  BOOST_TEST(healthy_within(p, 3000ms));
  BOOST_TEST(srv.output().find("\"msg\":\"accept paused\"") == std::string::npos);
}

/// Peak resident memory of `pid` in MiB (VmHWM), or -1.
long long peak_rss_mib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stoll(line.substr(6)) / 1024;
  return -1;
}

// A burst far above capacity: 2,000 connections open at once (from 8 addresses), then each sends
// an authenticated request. The first 400 (the cap) stay quiet until the rest have their answers,
// so the cap is full whenever one of the rest is accepted, however fast the server answers: each
// of those is answered 503 at once. Every connection gets an answer; memory stays bounded; the
// server serves the quiet 400 and then normally.
BOOST_AUTO_TEST_CASE(a_burst_of_two_thousand_connections_is_shed_and_served_afterwards) {
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = std::min<rlim_t>(nofile.rlim_max, 8192);
  setrlimit(RLIMIT_NOFILE, &nofile);
  const int n = std::min<int>(2000, static_cast<int>(nofile.rlim_cur) - 200);
  const int cap = 400;
  auto db = fresh_database();
  add_user(db, "u0", "analyst", false);
  server_process srv{serve_args(db, {"--max-connections", std::to_string(cap),
                                     "--max-connections-per-address", "0"}),
                     {}, {}, 8192};
  auto port = srv.port();
  auto started = std::chrono::steady_clock::now();
  std::vector<int> fds;
  for (int i = 0; i < n; ++i)
    fds.push_back(connect_local(port, "127.0.0." + std::to_string(1 + i % 8)));
  auto token = token_for("u0");
  std::string get = "GET /api/v1/activity/history?limit=5 HTTP/1.1\r\nHost: x\r\n"
                    "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n";
  // The listener accepts in the order of connecting: the quiet ones first.
  std::map<int, int> statuses, rest_statuses, quiet_statuses;
  auto ask_and_count = [&](int from, int to, std::map<int, int>& counts) {
    for (int i = from; i < to; ++i)
      ::send(fds[i], get.data(), get.size(), MSG_NOSIGNAL);
    for (int i = from; i < to; ++i) {
      auto replies = parse_replies(read_until_closed(fds[i], 20000));
      auto status = replies.empty() ? 0 : replies[0].status;
      counts[status] += 1;
      statuses[status] += 1;
    }
  };
  ask_and_count(cap, n, rest_statuses);
  ask_and_count(0, cap, quiet_statuses);
  close_all(fds);
  auto took = elapsed_ms(started);
  auto peak = peak_rss_mib(srv.pid());
  BOOST_TEST_MESSAGE("burst of " << n << ": " << statuses[200] << " x 200, " << statuses[503]
                                 << " x 503 in " << took << " ms; peak RSS " << peak << " MiB");
  BOOST_TEST(statuses[0] == 0);               // every connection got an answer
  BOOST_TEST(statuses[200] + statuses[503] + statuses[429] == n);
  BOOST_TEST(rest_statuses[503] == n - cap);   // shed at once, not queued
  BOOST_TEST(quiet_statuses[200] > 0);         // the ones within the cap are served
  BOOST_TEST(quiet_statuses[503] == 0);
  BOOST_TEST(took < 30000);
  BOOST_TEST(peak > 0);
  BOOST_TEST(peak < 1024);
  BOOST_TEST(healthy_within(port, 5s));
  auto logged = request(port, "POST", "/api/v1/activity/log",
                        R"({"activity_type":"chat","query_text":"after the burst"})", token);
  BOOST_TEST(logged.status == 200, logged.body);
}

BOOST_AUTO_TEST_SUITE_END()

// -- TLS -------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(tls_listener)

namespace {

/// A certificate for 127.0.0.1 and its key, as files for --tls-cert / --tls-key.
struct tls_files {
  key_and_cert made = make_self_signed("127.0.0.1");
  temp_file cert{made.cert_pem, "foresight_tls_cert"};
  temp_file key{made.key_pem, "foresight_tls_key"};
};

/// Runs a shell command; returns its stdout and sets `status` to its exit status.
std::string run(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(pipe);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
    out.append(buf, n);
  int st = ::pclose(pipe);
  status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

/// curl against the server, trusting only the run's certificate; the body, then the status.
std::string curl(const tls_files& f, std::uint16_t port, const std::string& args, int& status) {
  return run("curl -sS --max-time 10 --cacert " + f.cert.path() + " -w '\\n%{http_code}' " + args +
               " 'https://127.0.0.1:" + std::to_string(port) + "/healthz' 2>&1",
             status);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_real_tls_client_is_served_and_nothing_older_than_tls_1_2) {
  tls_files f;
  auto db = fresh_database();
  add_user(db, "admin1", "admin", true);
  server_process srv{serve_args(db, {"--tls-cert", f.cert.path(), "--tls-key", f.key.path(),
                                     "--read-timeout-ms", "1000"})};
  auto p = srv.port();
  BOOST_TEST(srv.output().find("https://127.0.0.1:") != std::string::npos, srv.output());
  int status = -1;
  auto out = curl(f, p, "--tlsv1.2", status);
  BOOST_TEST(status == 0, out);
  BOOST_TEST(out == "{\"status\":\"ok\"}\n200");
  // A token, a body and keep-alive: two requests on one TLS connection.
  // --next starts the second transfer on the same handle, so it reuses the connection.
  auto base = " --cacert " + f.cert.path() + " -w ' %{http_code} %{num_connects}\\n'" +
              " https://127.0.0.1:" + std::to_string(p);
  out = run("curl -sS --max-time 10 -H 'Authorization: Bearer " + token_for("admin1") + "'" +
              base + "/api/v1/connections --next -H 'Content-Type: application/json' -d "
              "'{\"username\":\"admin1\",\"password\":\"wrong\"}'" + base +
              "/api/v1/auth/token 2>&1",
            status);
  BOOST_TEST(status == 0, out);
  BOOST_TEST(out.find("\"connections\":[]") != std::string::npos, out);
  BOOST_TEST(out.find("unauthorized") != std::string::npos, out);
  BOOST_TEST(out.find(" 401 0") != std::string::npos, out); // the second reused the connection
  // TLS 1.1 is refused even by a client willing to speak it.
  out = curl(f, p, "--tlsv1.1 --tls-max 1.1 --ciphers 'DEFAULT:@SECLEVEL=0'", status);
  BOOST_TEST(status != 0, out);
  // Plain HTTP on the TLS port gets no answer, and the connection does not hang.
  auto started = std::chrono::steady_clock::now();
  auto plain = send_raw(p, healthz, 5000);
  BOOST_TEST(plain.find("200 OK") == std::string::npos, plain);
  BOOST_TEST(elapsed_ms(started) < 3000);
  // Still serving.
  out = curl(f, p, "", status);
  BOOST_TEST(out == "{\"status\":\"ok\"}\n200");
}

BOOST_AUTO_TEST_CASE(large_answers_on_a_kept_alive_tls_connection_are_not_held_back) {
  // TLS writes a large answer as several records. With Nagle's algorithm on, the last one waited
  // for the client's delayed ACK: 40 ms or more, in about one answer of ten after a small one.
  tls_files f;
  auto db = fresh_database();
  server_process srv{serve_args(db, {"--tls-cert", f.cert.path(), "--tls-key", f.key.path()})};
  auto base = "https://127.0.0.1:" + std::to_string(srv.port());
  std::string urls;
  const int pairs = 150;
  for (int i = 0; i < pairs; ++i)
    urls += " -o /dev/null " + base + "/healthz -o /dev/null " + base + "/openapi.json";
  int status = -1;
  auto out = run("curl -sS --max-time 60 --cacert " + f.cert.path() +
                   " -w '%{url_effective} %{http_code} %{num_connects} %{time_total}\\n'" + urls +
                   " 2>&1",
                 status);
  BOOST_TEST_REQUIRE(status == 0, out);
  std::istringstream lines(out);
  std::string url;
  int code = 0, connects = 0, answers = 0, held_back = 0, total_connects = 0;
  double seconds = 0;
  while (lines >> url >> code >> connects >> seconds) {
    BOOST_TEST(code == 200, url);
    total_connects += connects;
    if (url.find("openapi.json") == std::string::npos)
      continue;
    ++answers;
    if (seconds >= 0.038)
      ++held_back;
  }
  BOOST_TEST(answers == pairs, out);
  BOOST_TEST(total_connects == 1); // one connection, kept alive throughout
  // A slow answer or two may come from a loaded machine; held-back records show in several.
  BOOST_TEST(held_back <= 2, held_back << " of " << answers << " answers took 38 ms or more");
}

BOOST_AUTO_TEST_CASE(a_missing_or_mismatched_key_stops_the_server_from_starting) {
  tls_files f;
  auto other = make_self_signed("127.0.0.1");
  temp_file other_key{other.key_pem, "foresight_tls_key"};
  auto db = fresh_database();
  auto refused = [&](std::vector<std::string> extra, const std::string& expected) {
    try {
      server_process srv{serve_args(db, std::move(extra))};
      BOOST_ERROR("it started");
    } catch (const std::runtime_error& e) {
      BOOST_TEST(std::string(e.what()).find(expected) != std::string::npos, e.what());
    }
  };
  refused({"--tls-cert", f.cert.path()}, "--tls-cert and --tls-key must be given together");
  refused({"--tls-cert", f.cert.path(), "--tls-key", other_key.path()}, "--tls-key");
  refused({"--tls-cert", "/nonexistent.pem", "--tls-key", f.key.path()}, "--tls-cert");
}

BOOST_AUTO_TEST_SUITE_END()
