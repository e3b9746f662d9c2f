// Several foresightd nodes on one PostgreSQL acting as one service (issue 18): reads and writes
// on any node see the same data, sessions and the suggestion cache live on each user's owner,
// a node killed with SIGKILL under load loses no acknowledged activity and is marked dead within
// 2 s, a restarted node counts every activity exactly once, and with certificates only nodes of
// the same CA join.
#include <arpa/inet.h>
#include <atomic>
#include <cctype>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <simdjson.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "core/json_writer.hpp"
#include "tests/integration/db_helpers.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/json_assert.hpp"
#include "tests/integration/sample_catalogs.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/suggestion_lists.hpp"

using namespace foresight;
using namespace foresight::testing;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

/// sales_catalog with one more metric and a new name (a visible change).
const std::string sales_catalog_v2 = R"({"name":"Sales v2",
  "metrics":[{"name":"revenue","display_name":"Revenue","aggregation":"sum"},
             {"name":"profit","display_name":"Profit","aggregation":"sum"},
             {"name":"churn_rate","display_name":"Churn rate","aggregation":"avg"}],
  "dimensions":[{"name":"region","display_name":"Region","type":"string"}],
  "entities":[{"name":"product","display_name":"Products"}]})";

/// A TCP port on 127.0.0.1 that nothing listens on now. Drawn below the ephemeral range
/// (32768-60999), not from a bind to port 0: a port from that range can be taken by any outgoing
/// connection (this suite makes thousands) between a node's kill and its restart on the same
/// port, which would fail the restart for a reason that is not the server's.
std::uint16_t free_port() {
  static std::mt19937 rng{std::random_device{}()};
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto port = static_cast<std::uint16_t>(20000 + rng() % 10000);
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (ok)
      return port;
  }
  throw std::runtime_error("no free port in 20000-29999");
}

/// Calls `f` every `every` until it returns true or `limit` has passed; true if it did.
bool poll_until(steady::duration limit, const std::function<bool()>& f,
                steady::duration every = 50ms) {
  auto deadline = steady::now() + limit;
  for (;;) {
    if (f())
      return true;
    if (steady::now() >= deadline)
      return false;
    std::this_thread::sleep_for(every);
  }
}

double ms_since(steady::time_point t0, steady::time_point t = steady::now()) {
  return std::chrono::duration<double, std::milli>(t - t0).count();
}

/// What GET /api/v1/cluster on one node says.
struct cluster_view {
  int status = 0; ///< 0: no answer (the node is down)
  std::string body;
  std::string node_id, learner_host, owner;
  std::uint64_t epoch = 0;
  std::map<std::string, std::string> states; ///< member id -> alive | dead | unknown
  std::map<std::string, long long> sessions;

  std::string state_of(const std::string& id) const {
    auto i = states.find(id);
    return i == states.end() ? "<not listed>" : i->second;
  }
  int alive() const {
    int n = 0;
    for (auto& [id, s] : states)
      n += s == "alive";
    return n;
  }
};

cluster_view view_of(std::uint16_t port, const std::string& admin, const std::string& user = {}) {
  cluster_view v;
  http_reply r;
  try {
    r = request(port, "GET", "/api/v1/cluster" + (user.empty() ? "" : "?user=" + url_encode(user)),
                "", admin);
  } catch (const std::exception&) {
    return v;
  }
  v.status = r.status;
  v.body = r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (r.status != 200 || parser.parse(r.body).get(doc))
    return v;
  std::string_view sv;
  if (!doc["node_id"].get(sv))
    v.node_id = std::string(sv);
  if (!doc["learner_host"].get(sv))
    v.learner_host = std::string(sv);
  if (!doc["owner"]["node"].get(sv))
    v.owner = std::string(sv);
  std::uint64_t epoch = 0;
  if (!doc["epoch"].get(epoch))
    v.epoch = epoch;
  simdjson::dom::array members;
  if (!doc["members"].get(members))
    for (auto m : members) {
      std::string_view id, state;
      if (m["id"].get(id) || m["state"].get(state))
        continue;
      v.states[std::string(id)] = std::string(state);
      std::int64_t n = 0;
      if (!m["sessions"].get(n))
        v.sessions[std::string(id)] = n;
    }
  return v;
}

std::string query_body(const std::string& text) {
  std::string quoted;
  append_json_string(quoted, text);
  return R"({"activity_type":"query","query_text":)" + quoted +
         R"(,"response_data":{"data":[{"v":1}],"metadata":{"execution_time_ms":120}},)"
         R"("metadata":{"connection_id":"sales"}})";
}

int count_of(const http_reply& r) {
  auto c = json_at(r.body, "/count");
  return c.empty() || !std::isdigit(static_cast<unsigned char>(c[0])) ? -1 : std::stoi(c);
}

/// Three (or any number of) nodes on one fresh database, each configured with all the others
/// as peers; users admin1 (admin), alice, bob, carol (analysts) and `extra_users`.
struct cluster_world {
  std::string db = fresh_database();
  std::string admin = token_for("admin1");
  std::vector<std::string> ids;
  std::map<std::string, std::uint16_t> cluster_ports;
  std::map<std::string, std::vector<std::string>> node_extra; ///< per node (TLS files)
  std::map<std::string, std::unique_ptr<server_process>> nodes;
  std::vector<std::string> common = {"--pattern-flush-ms", "50", "--pattern-count-flush-ms", "50",
                                     "--suggestion-flush-ms", "50"};

  explicit cluster_world(std::vector<std::string> node_ids = {"a", "b", "c"},
                         std::vector<std::string> extra_users = {}, bool start_all = true)
    : ids(std::move(node_ids)) {
    add_user(db, "admin1", "admin", true);
    for (auto id : {"alice", "bob", "carol"})
      add_user(db, id, "analyst", false);
    for (auto& id : extra_users)
      add_user(db, id, "analyst", false);
    for (auto& id : ids)
      cluster_ports[id] = free_port();
    if (!start_all)
      return;
    for (auto& id : ids)
      start(id);
    wait_converged();
  }

  /// `--peers` for `id`: every other node of the world (or `peers` if given).
  std::vector<std::string> args_for(const std::string& id,
                                    std::vector<std::string> peers = {}) const {
    if (peers.empty())
      for (auto& other : ids)
        if (other != id)
          peers.push_back(other);
    std::string list;
    for (auto& p : peers)
      list += (list.empty() ? "" : ",") + p + "=127.0.0.1:" + std::to_string(cluster_ports.at(p));
    std::vector<std::string> extra = {"--node-id", id, "--cluster-port",
                                      std::to_string(cluster_ports.at(id)), "--peers", list};
    extra.insert(extra.end(), common.begin(), common.end());
    if (auto i = node_extra.find(id); i != node_extra.end())
      extra.insert(extra.end(), i->second.begin(), i->second.end());
    return serve_args(db, extra);
  }

  void start(const std::string& id, std::vector<std::string> peers = {}) {
    nodes[id] = std::make_unique<server_process>(args_for(id, std::move(peers)));
  }

  std::uint16_t port(const std::string& id) const { return nodes.at(id)->port(); }

  cluster_view view(const std::string& id, const std::string& user = {}) const {
    return view_of(port(id), admin, user);
  }

  /// Waits (up to `limit`) until every node in `which` (default: all started) sees all of
  /// `which` alive; requires it.
  void wait_converged(std::vector<std::string> which = {}, steady::duration limit = 10s) {
    if (which.empty())
      for (auto& [id, n] : nodes)
        which.push_back(id);
    std::map<std::string, cluster_view> last;
    bool ok = poll_until(limit, [&] {
      bool all = true;
      for (auto& id : which) {
        last[id] = view(id);
        for (auto& other : which)
          all = all && last[id].state_of(other) == "alive";
      }
      return all;
    }, 100ms);
    if (!ok)
      for (auto& [id, v] : last) {
        auto log = nodes.at(id)->output();
        BOOST_TEST_MESSAGE("node " << id << " (pid " << nodes.at(id)->pid() << ") sees: status "
                           << v.status << " " << v.body << "\nits log (tail): "
                           << log.substr(log.size() > 2500 ? log.size() - 2500 : 0));
      }
    BOOST_REQUIRE_MESSAGE(ok, "the nodes did not all see each other alive within the limit");
  }

  /// The node that owns `user`'s session, as node `asked` says.
  std::string owner_of(const std::string& user, const std::string& asked = "a") const {
    return view(asked, user).owner;
  }

  http_reply log_query(const std::string& node, const std::string& user, const std::string& text) {
    return request(port(node), "POST", "/api/v1/activity/log", query_body(text), token_for(user));
  }

  http_reply suggest(const std::string& node, const std::string& user, const std::string& partial,
                     int max = 0) {
    std::string target = "/api/v1/connections/sales/suggestions/personalized?partial_query=" +
                         url_encode(partial);
    if (max > 0)
      target += "&max_suggestions=" + std::to_string(max);
    return request(port(node), "POST", target, "", token_for(user));
  }

  void put_catalog(const std::string& node, const std::string& body) {
    auto r = request(port(node), "PUT", "/api/v1/connections/sales", body, admin);
    BOOST_REQUIRE_MESSAGE(r.status == 200 || r.status == 201,
                          "catalog PUT on " << node << ": " << r.status << " " << r.body);
  }
};

/// One activity log sent with its own deadline (the suite's `request` waits 15 s for silence),
/// timed from `t0`. status 0: no answer (refused, reset or the deadline).
struct timed_reply {
  std::string user, node;
  double sent_ms = 0, done_ms = 0;
  int status = 0;
  std::string activity_id, error;
};

timed_reply timed_log(std::uint16_t port, const std::string& user, const std::string& token,
                      const std::string& body, int timeout_ms, steady::time_point t0) {
  timed_reply out;
  out.user = user;
  out.sent_ms = ms_since(t0);
  std::string raw = "POST /api/v1/activity/log HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n"
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  try {
    auto replies = parse_replies(send_raw(port, raw, timeout_ms));
    if (replies.empty()) {
      out.error = "no reply";
    } else {
      out.status = replies.front().status;
      if (out.status / 100 == 2)
        out.activity_id = json_at(replies.front().body, "/activity_id");
      else
        out.error = replies.front().body.substr(0, 200);
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.done_ms = ms_since(t0);
  return out;
}

/// Sends `sig` to `srv` and waits up to `limit` for the process to exit (its state turns to
/// zombie: exited, not yet reaped); true if it did. The caller reaps it (stop or destructor).
bool exits_within(server_process& srv, int sig, steady::duration limit) {
  auto pid = srv.pid();
  if (pid <= 0)
    return true;
  ::kill(pid, sig);
  return poll_until(limit, [&] {
    auto f = proc_stat_fields("/proc/" + std::to_string(pid) + "/stat");
    return f.empty() || f[0] == "Z";
  }, 50ms);
}

/// Runs `openssl ARGS` in `dir`; requires success.
void openssl(const std::string& dir, const std::string& args) {
  auto cmd = "cd '" + dir + "' && openssl " + args + " >>openssl.log 2>&1";
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::ifstream in(dir + "/openssl.log");
    std::stringstream ss;
    ss << in.rdbuf();
    BOOST_FAIL("openssl " << args << " failed:\n" << ss.str());
  }
}

/// A CA (`ca.pem`, `ca.key`) in `dir`.
void make_ca(const std::string& dir, const std::string& name) {
  openssl(dir, "req -x509 -newkey rsa:2048 -nodes -days 2"
               " -subj /CN=" + name + " -keyout " + name + ".key -out " + name + ".pem");
}

/// A certificate for node `node` signed by CA `ca` (`node.pem`, `node.key`), good for both ends
/// of a connection, naming 127.0.0.1 and localhost.
void make_node_cert(const std::string& dir, const std::string& node, const std::string& ca) {
  {
    std::ofstream ext(dir + "/" + node + ".ext");
    ext << "basicConstraints=CA:FALSE\n"
           "keyUsage=critical,digitalSignature,keyEncipherment\n"
           "extendedKeyUsage=serverAuth,clientAuth\n"
           "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:" << node << "\n";
  }
  openssl(dir, "req -new -newkey rsa:2048 -nodes -subj /CN=" +
                 node + " -keyout " + node + ".key -out " + node + ".csr");
  openssl(dir, "x509 -req -days 2 -in " + node + ".csr -CA " + ca + ".pem -CAkey " + ca +
                 ".key -CAcreateserial -extfile " + node + ".ext -out " + node + ".pem");
}

} // namespace

BOOST_AUTO_TEST_SUITE(cluster)

// (a) Written on one node, read on the others; the learner host learns it wherever it was sent.
BOOST_AUTO_TEST_CASE(activities_logged_on_one_node_are_read_and_learned_on_every_node) {
  cluster_world w;
  auto v = w.view("a");
  BOOST_TEST(v.node_id == "a", v.body);
  BOOST_TEST(json_at(v.body, "/clustered") == "true", v.body);
  BOOST_TEST(v.states.size() == 3u, v.body);
  BOOST_TEST((v.learner_host == "a" || v.learner_host == "b" || v.learner_host == "c"), v.body);
  // Every node names the same learner host and owner.
  auto owner = w.owner_of("alice", "a");
  BOOST_TEST((owner == "a" || owner == "b" || owner == "c"), "owner of alice: " << owner);
  for (auto id : {"b", "c"}) {
    BOOST_TEST(w.view(id).learner_host == v.learner_host);
    BOOST_TEST(w.owner_of("alice", id) == owner);
  }

  for (int i = 0; i < 4; ++i) {
    auto r = w.log_query("a", "alice", "Top " + std::to_string(5 + i) + " stocks by volume");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.body);
  }
  auto chat = request(w.port("a"), "POST", "/api/v1/activity/log",
                      R"({"activity_type":"chat","query_text":"why did volume drop?"})",
                      token_for("alice"));
  BOOST_TEST(chat.status == 200, chat.body);
  auto logged_at = steady::now();

  auto on_a = request(w.port("a"), "GET", "/api/v1/activity/history", "", token_for("alice"));
  BOOST_TEST(on_a.status == 200, on_a.body);
  BOOST_TEST(json_at(on_a.body, "/count") == "5", on_a.body);
  for (auto id : {"b", "c"}) {
    auto h = request(w.port(id), "GET", "/api/v1/activity/history", "", token_for("alice"));
    BOOST_TEST(h.status == 200, id << ": " << h.body);
    BOOST_TEST(json_at(h.body, "/user_id") == "alice");
    BOOST_TEST(json_at(h.body, "/count") == "5", id << ": " << h.body);
    BOOST_TEST(json_at(h.body, "/activities") == json_at(on_a.body, "/activities"), id);
    BOOST_TEST(json_at(h.body, "/activities/0/query_text") == "why did volume drop?");
  }

  // The learned pattern, read on b, within 3 s of the last write.
  http_reply p;
  bool learned = poll_until(3s - (steady::now() - logged_at), [&] {
    p = request(w.port("b"), "GET", "/api/v1/activity/patterns", "", token_for("alice"));
    return json_at(p.body, "/user_patterns/0/frequency") == "4";
  });
  BOOST_TEST(learned, "patterns on b 3 s after logging on a: " << p.status << " " << p.body);
  BOOST_TEST(json_at(p.body, "/user_pattern_count") == "1", p.body);
  BOOST_TEST(json_at(p.body, "/user_patterns/0/query_template") == "top {N} {entity} by {metric}");
  // Learned once, by one learner host: not once per node.
  wait_for(w.db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'global'", 4);
  wait_for(w.db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'user_specific'"
                 " AND target_id = 'alice'", 4);
}

// (b) The owner answers and caches; the same request on the other nodes is that cached answer.
BOOST_AUTO_TEST_CASE(a_suggestion_answered_on_the_owner_is_cached_for_the_other_nodes) {
  cluster_world w;
  w.put_catalog("a", sales_catalog);
  auto owner = w.owner_of("alice");
  BOOST_REQUIRE_MESSAGE(w.nodes.count(owner), "owner of alice: '" << owner << "'");
  auto first = w.suggest(owner, "alice", "show me prof");
  BOOST_TEST(first.status == 200, first.body);
  BOOST_TEST(json_at(first.body, "/source") == "patterns", first.body);
  BOOST_TEST(count_of(first) == 6, first.body);
  for (auto& id : w.ids) {
    if (id == owner)
      continue;
    auto again = w.suggest(id, "alice", "Show me  PROF");
    BOOST_TEST(again.status == 200, id << ": " << again.body);
    BOOST_TEST(json_at(again.body, "/source") == "cached", id << ": " << again.body);
    BOOST_TEST(json_at(again.body, "/partial_query") == "Show me  PROF", id);
    BOOST_TEST(json_at(again.body, "/suggestions") == json_at(first.body, "/suggestions"), id);
  }
  // The hits were counted where the entry lives, and written behind once.
  wait_for(w.db, "SELECT COALESCE(SUM(hit_count), 0) FROM suggestion_cache WHERE user_id = 'alice'", 2);
  BOOST_TEST(scalar(w.db, "SELECT count(*) FROM suggestion_cache WHERE user_id = 'alice'") == 1);
  // The session is on the owner only.
  auto v = w.view(owner);
  BOOST_TEST(v.sessions[owner] >= 1, v.body);
}

// (c) A preference change on one node changes what every node answers.
BOOST_AUTO_TEST_CASE(a_preference_change_on_one_node_holds_on_the_others) {
  cluster_world w;
  w.put_catalog("a", sales_catalog);
  auto before = w.suggest("a", "bob", "prof", 12);
  BOOST_TEST(before.status == 200, before.body);
  BOOST_TEST(any_mentions(before, "profit"), before.body);
  BOOST_TEST(json_at(w.suggest("a", "bob", "prof", 12).body, "/source") == "cached");
  auto put = request(w.port("b"), "PUT", "/api/v1/activity/preferences",
                     R"({"excluded_metrics":["profit","internal_id"]})", token_for("bob"));
  BOOST_TEST(put.status == 200, put.body);
  for (auto id : {"a", "c"}) {
    auto get = request(w.port(id), "GET", "/api/v1/activity/preferences", "", token_for("bob"));
    BOOST_TEST(json_at(get.body, "/excluded_metrics") == R"(["profit","internal_id"])",
               id << ": " << get.body);
  }
  for (auto partial : {"prof", "", "show me profit", "top", "internal", "compare"}) {
    auto after = w.suggest("a", "bob", partial, 12);
    BOOST_TEST(after.status == 200, after.body);
    BOOST_TEST(json_at(after.body, "/source") == "patterns", partial << ": " << after.body);
    BOOST_TEST(!any_mentions(after, "profit"), partial << ": " << after.body);
    BOOST_TEST(!any_mentions(after, "internal"), partial << ": " << after.body);
  }
  // Asked on c too (the owner may be any of the three).
  auto on_c = w.suggest("c", "bob", "prof", 12);
  BOOST_TEST(!any_mentions(on_c, "profit"), on_c.body);
}

// (d) A catalog replaced on one node is what every node serves, and what it suggests from.
// A password changed through one node revokes the user's older tokens on every node (each node
// checks tokens itself).
BOOST_AUTO_TEST_CASE(a_password_change_on_one_node_revokes_older_tokens_on_every_node) {
  cluster_world w;
  auto old_token = token_for("carol");
  for (auto& id : w.ids)
    BOOST_TEST(request(w.port(id), "GET", "/api/v1/activity/history", "", old_token).status == 200,
               id);
  std::this_thread::sleep_for(1100ms); // tokens carry whole seconds: the change must be later
  auto r = request(w.port("b"), "PUT", "/api/v1/users/carol/password",
                   R"({"password":"carol-new-pass"})", w.admin);
  BOOST_TEST(r.status == 200, r.body);
  for (auto& id : w.ids) {
    http_reply got;
    bool refused = poll_until(2s, [&] {
      got = request(w.port(id), "GET", "/api/v1/activity/history", "", old_token);
      return got.status == 401;
    });
    BOOST_TEST(refused, id << " still takes the old token: " << got.status << " " << got.body);
  }
  std::this_thread::sleep_for(1100ms);
  auto fresh = token_for("carol");
  for (auto& id : w.ids)
    BOOST_TEST(request(w.port(id), "GET", "/api/v1/activity/history", "", fresh).status == 200,
               id);
}

BOOST_AUTO_TEST_CASE(a_catalog_put_on_one_node_is_seen_on_the_others) {
  cluster_world w;
  w.put_catalog("a", sales_catalog);
  for (auto id : {"a", "c"}) { // read first, so a node that caches catalogs has them cached
    auto got = request(w.port(id), "GET", "/api/v1/connections/sales", "", w.admin);
    BOOST_TEST(json_at(got.body, "/name") == "Sales", id << ": " << got.body);
  }
  BOOST_TEST(json_at(w.suggest("c", "carol", "rev").body, "/source") == "patterns");
  BOOST_TEST(json_at(w.suggest("c", "carol", "rev").body, "/source") == "cached");
  w.put_catalog("b", sales_catalog_v2);
  auto put_at = steady::now();
  for (auto id : {"a", "c"}) {
    http_reply got;
    bool seen = poll_until(2s, [&] {
      got = request(w.port(id), "GET", "/api/v1/connections/sales", "", w.admin);
      return json_at(got.body, "/name") == "Sales v2";
    });
    BOOST_TEST(seen, id << " still serves: " << got.body);
    BOOST_TEST(json_at(got.body, "/version") == "2", id << ": " << got.body);
    BOOST_TEST(json_at(got.body, "/metrics/2/name") == "churn_rate", id << ": " << got.body);
    BOOST_TEST_MESSAGE("catalog v2 seen on " << id << " after " << ms_since(put_at) << " ms");
    auto list = request(w.port(id), "GET", "/api/v1/connections", "", w.admin);
    BOOST_TEST(json_at(list.body, "/count") == "1", list.body);
  }
  // Carol's cached list was made from the old catalog: not served any more, on any node.
  http_reply s;
  bool fresh = poll_until(2s, [&] {
    s = w.suggest("c", "carol", "rev");
    return json_at(s.body, "/source") != "cached";
  });
  BOOST_TEST(fresh, "c still serves the list cached under the old catalog: " << s.body);
  auto churn = w.suggest("a", "carol", "churn", 12);
  BOOST_TEST(any_mentions(churn, "churn"), churn.body); // a metric only v2 has
}

// (e) SIGKILL of a node under load: nothing acknowledged is lost, every user is served again
// within 5 s, the others mark it dead within 2 s, and no request hangs.
BOOST_AUTO_TEST_CASE(kill_9_of_a_node_under_load_loses_no_acknowledged_activity) {
  const int users = 6;
  std::vector<std::string> names;
  for (int u = 0; u < users; ++u)
    names.push_back("k" + std::to_string(u));
  cluster_world w({"a", "b", "c"}, names);
  const int timeout_ms = 8000;
  std::map<std::string, std::uint16_t> ports = {
    {"a", w.port("a")}, {"b", w.port("b")}, {"c", w.port("c")}};
  for (auto& n : names)
    BOOST_TEST_MESSAGE(n << " is owned by " << w.owner_of(n));

  auto t0 = steady::now();
  std::atomic<bool> killed{false}, done{false};
  std::mutex mtx;
  std::vector<timed_reply> replies;
  std::vector<std::thread> threads;
  for (int u = 0; u < users; ++u)
    threads.emplace_back([&, u] {
      auto user = names[u];
      auto token = token_for(user);
      std::vector<timed_reply> mine;
      for (int i = u; !done; ++i) {
        // Round robin over the three nodes; over a and b only once c is killed.
        std::string node = killed ? (i % 2 ? "b" : "a") : std::string(1, "abc"[i % 3]);
        auto r = timed_log(ports.at(node), user, token,
                           query_body("Top " + std::to_string(i % 20 + 1) + " stocks by volume"),
                           timeout_ms, t0);
        r.node = node;
        bool failed = r.status / 100 != 2;
        mine.push_back(std::move(r));
        if (failed)
          std::this_thread::sleep_for(20ms); // no busy loop against a dead port
      }
      std::lock_guard<std::mutex> g{mtx};
      replies.insert(replies.end(), mine.begin(), mine.end());
    });

  std::this_thread::sleep_for(2s);
  auto c_pid = w.nodes.at("c")->pid();
  ::kill(c_pid, SIGKILL);
  auto kill_ms = ms_since(t0);
  killed = true;
  w.nodes.at("c")->wait();
  // a marks c dead within 2 s.
  cluster_view seen;
  bool dead = poll_until(4s, [&] {
    seen = w.view("a");
    return seen.state_of("c") == "dead";
  }, 20ms);
  auto dead_after_ms = ms_since(t0) - kill_ms;
  BOOST_TEST(dead, "a's view 4 s after the kill: " << seen.body);
  BOOST_TEST(dead_after_ms <= 2000.0, "a marked c dead " << dead_after_ms << " ms after the kill");
  BOOST_TEST(seen.state_of("a") == "alive");
  BOOST_TEST(seen.state_of("b") == "alive");
  std::this_thread::sleep_until(t0 + std::chrono::milliseconds(static_cast<long>(kill_ms)) + 4s);
  done = true;
  for (auto& t : threads)
    t.join();

  // Every acknowledged id is in the table, once.
  std::vector<std::string> acked;
  std::map<std::string, int> failures_by_node;
  int hung = 0;
  for (auto& r : replies) {
    if (r.status / 100 == 2)
      acked.push_back(r.activity_id);
    else
      ++failures_by_node[r.node];
    if (r.done_ms - r.sent_ms >= timeout_ms) {
      ++hung;
      BOOST_TEST_MESSAGE("hung: " << r.user << " on " << r.node << " sent at " << r.sent_ms
                                  << " ms, gave up at " << r.done_ms << " ms");
    }
  }
  BOOST_TEST_MESSAGE(replies.size() << " requests, " << acked.size() << " acknowledged; failures on a "
                     << failures_by_node["a"] << ", b " << failures_by_node["b"] << ", c "
                     << failures_by_node["c"] << "; c killed at " << kill_ms << " ms, dead on a after "
                     << dead_after_ms << " ms");
  BOOST_TEST(hung == 0);
  BOOST_REQUIRE(!acked.empty());
  std::string list, bad;
  for (auto& id : acked) {
    if (id.empty() || !std::isdigit(static_cast<unsigned char>(id[0])))
      bad = id;
    list += (list.empty() ? "" : ",") + id;
  }
  BOOST_REQUIRE_MESSAGE(bad.empty(), "a 2xx answer without an activity_id: '" << bad << "'");
  BOOST_TEST(std::set<std::string>(acked.begin(), acked.end()).size() == acked.size());
  BOOST_TEST(scalar(w.db, "SELECT count(*) FROM user_activity WHERE id IN (" + list + ")") ==
             static_cast<long long>(acked.size()));
  // After the kill, every user got an acknowledgement within 5 s of it (sent after it, to a or b).
  for (auto& n : names) {
    double first_ok = -1;
    int after_kill = 0;
    for (auto& r : replies)
      if (r.user == n && r.sent_ms >= kill_ms) {
        ++after_kill;
        if (r.status / 100 == 2 && (first_ok < 0 || r.done_ms < first_ok))
          first_ok = r.done_ms;
      }
    BOOST_TEST(first_ok >= 0, n << ": no acknowledgement after the kill (" << after_kill << " sent)");
    BOOST_TEST(first_ok - kill_ms <= 5000.0,
               n << ": first acknowledgement " << first_ok - kill_ms << " ms after the kill");
  }
  // The survivors still agree on a live set of two.
  for (auto id : {"a", "b"}) {
    auto v = w.view(id);
    BOOST_TEST(v.alive() == 2, id << ": " << v.body);
    BOOST_TEST(v.state_of("c") == "dead", id << ": " << v.body);
  }
}

// (f) The learner host killed and restarted: every one of a user's queries counted exactly once
// across both hand-overs (to a survivor, and back to the restarted node).
BOOST_AUTO_TEST_CASE(a_restarted_node_rejoins_and_patterns_count_each_activity_once) {
  cluster_world w({"a", "b", "c"}, {"fu"});
  const std::string question = "Compare revenue across regions";
  auto host = w.view("a").learner_host;
  BOOST_REQUIRE_MESSAGE(w.nodes.count(host), "learner host: '" << host << "'");
  std::vector<std::string> others;
  for (auto& id : w.ids)
    if (id != host)
      others.push_back(id);
  BOOST_TEST_MESSAGE("learner host " << host << ", killed and restarted");
  // Logs until acknowledged (a survivor may answer 503 while it takes over), up to 5 s.
  auto log_on = [&](const std::string& node) {
    http_reply r;
    bool ok = poll_until(5s, [&] {
      try {
        r = w.log_query(node, "fu", question);
      } catch (const std::exception& e) {
        r = http_reply{};
        r.body = e.what();
      }
      return r.status == 200;
    }, 100ms);
    BOOST_TEST(ok, "log on " << node << ": " << r.status << " " << r.body);
  };
  for (int i = 0; i < 6; ++i)
    log_on(w.ids[i % 3]);
  wait_for(w.db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'user_specific'"
                 " AND target_id = 'fu'", 6);

  w.nodes.at(host)->stop(SIGKILL);
  bool dead = poll_until(5s, [&] { return w.view(others[0]).state_of(host) == "dead"; });
  BOOST_TEST(dead, others[0] << " does not see " << host << " dead: " << w.view(others[0]).body);
  std::string new_host;
  bool moved = poll_until(3s, [&] {
    new_host = w.view(others[0]).learner_host;
    return !new_host.empty() && new_host != host && w.view(others[1]).learner_host == new_host;
  });
  BOOST_TEST(moved, "learner host after the kill: " << w.view(others[0]).body << " / "
                                                    << w.view(others[1]).body);
  for (int i = 0; i < 6; ++i)
    log_on(others[i % 2]);

  w.start(host); // the same cluster port
  w.wait_converged();
  bool back = poll_until(3s, [&] {
    for (auto& id : w.ids)
      if (w.view(id).learner_host != host)
        return false;
    return true;
  });
  BOOST_TEST(back, "rendezvous gives the learner host back to " << host << ": " << w.view("a").body);
  for (int i = 0; i < 6; ++i)
    log_on(w.ids[i % 3]);

  // Exactly the user's queries in the table, each once: the user's single question (one
  // template), and the role's and global patterns (fu is the only one asking).
  auto expected = scalar(w.db, "SELECT count(*) FROM user_activity WHERE user_id = 'fu'"
                               " AND activity_type = 'query'");
  BOOST_TEST(expected >= 18);
  auto mine = "SELECT COALESCE(sum(frequency), 0) FROM query_patterns WHERE"
              " pattern_type = 'user_specific' AND target_id = 'fu'";
  wait_for(w.db, mine, expected);
  // Settled: no late double count from a node that learned the same rows again.
  std::this_thread::sleep_for(1s);
  BOOST_TEST(scalar(w.db, mine) == expected);
  BOOST_TEST(scalar(w.db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'user_specific'"
                          " AND target_id = 'fu'") == 1);
  BOOST_TEST(scalar(w.db, "SELECT max(frequency) FROM query_patterns WHERE"
                          " pattern_type = 'user_specific' AND target_id = 'fu'") == expected);
  BOOST_TEST(scalar(w.db, "SELECT COALESCE(sum(frequency), 0) FROM query_patterns WHERE"
                          " pattern_type = 'global'") == expected);
  BOOST_TEST(scalar(w.db, "SELECT COALESCE(sum(frequency), 0) FROM query_patterns WHERE"
                          " pattern_type = 'role_based'") == expected);
}

// (h) Stopping a node is as before clustering: SIGTERM ends it within a few seconds, also after
// it has served and forwarded requests, and the others mark it dead.
BOOST_AUTO_TEST_CASE(a_node_stops_on_sigterm_after_serving_forwarded_requests) {
  cluster_world w;
  w.put_catalog("a", sales_catalog);
  for (auto user : {"alice", "bob", "carol"})
    for (auto& id : w.ids) {
      BOOST_TEST(w.log_query(id, user, "Top 5 stocks by volume").status == 200);
      BOOST_TEST(w.suggest(id, user, "top").status == 200);
    }
  for (auto& id : w.ids)
    BOOST_TEST_MESSAGE(id << " owns " << w.view(id).sessions[id] << " sessions");
  auto tail_of = [&](const std::string& id) {
    auto log = w.nodes.at(id)->output();
    return log.substr(log.size() > 1500 ? log.size() - 1500 : 0);
  };
  bool stopped = exits_within(*w.nodes.at("b"), SIGTERM, 8s);
  auto b_log = tail_of("b");
  int status = w.nodes.at("b")->stop(SIGKILL); // reaps it either way
  if (!stopped || status != 0)
    BOOST_TEST_MESSAGE("SERVER ISSUE: a clustered node that has served and forwarded requests "
                       "does not stop cleanly on SIGTERM (against main 1aeaeec it logged 'shutting "
                       "down' and never exited, its main thread in caf::actor_registry::"
                       "await_running_count_equal; against main 8b61264 it exited by SIGSEGV, "
                       "status 139, in the cluster benchmark). Left failing on purpose. b's log "
                       "(tail): " << b_log);
  BOOST_TEST(stopped, "b still running 8 s after SIGTERM");
  BOOST_TEST((!stopped || status == 0), "b's exit status after SIGTERM: " << status
                                          << " (0 expected, as a single node's)");
  BOOST_TEST(poll_until(2s, [&] { return w.view("a").state_of("b") == "dead"; }), w.view("a").body);
  http_reply r;
  BOOST_TEST(poll_until(5s, [&] {
    r = w.log_query("a", "bob", "Top 6 stocks by volume");
    return r.status == 200;
  }, 100ms), r.status << " " << r.body);
  for (auto id : {"a", "c"}) {
    bool ok = exits_within(*w.nodes.at(id), SIGTERM, 8s);
    auto log = tail_of(id);
    int st = w.nodes.at(id)->stop(SIGKILL);
    BOOST_TEST(ok, id << " still running 8 s after SIGTERM; log (tail): " << log);
    BOOST_TEST((!ok || st == 0), id << "'s exit status after SIGTERM: " << st << "; log (tail): " << log);
  }
}

// (g) With --cluster-cert/key/ca, nodes of one CA join each other; a node with a certificate of
// another CA never joins, and the nodes it tried do not mind. Two such nodes: d, which a does not
// list (as the issue describes it), and an impostor at the address a and b list for c, under the
// id c: only the certificate check keeps that one out (a listed peer's hello is otherwise
// welcome), so it shows that the certificates are checked at all.
BOOST_AUTO_TEST_CASE(with_certificates_only_nodes_of_the_same_ca_join) {
  char tmpl[] = "/tmp/foresight-cluster-tls-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  struct cleanup {
    std::string d;
    ~cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    }
  } rm{dir};
  make_ca(dir, "ca");
  make_ca(dir, "rogue-ca");
  make_node_cert(dir, "a", "ca");
  make_node_cert(dir, "b", "ca");
  make_node_cert(dir, "c", "rogue-ca");
  make_node_cert(dir, "d", "rogue-ca");

  cluster_world w({"a", "b", "c", "d"}, {}, /*start_all=*/false);
  auto tls = [&](const std::string& node, const std::string& ca) {
    w.node_extra[node] = {"--cluster-cert", dir + "/" + node + ".pem", "--cluster-key",
                          dir + "/" + node + ".key", "--cluster-ca", dir + "/" + ca + ".pem"};
  };
  tls("a", "ca");
  tls("b", "ca");
  tls("c", "rogue-ca");
  tls("d", "rogue-ca");
  w.start("a", {"b", "c"});
  w.start("b", {"a", "c"});
  w.wait_converged({"a", "b"});
  // a user whose session a forwards to b, and one whose session b forwards to a
  std::string to_b, to_a;
  for (auto user : {"alice", "bob", "carol"}) {
    auto owner = w.owner_of(user, "a");
    if (owner == "b" && to_b.empty())
      to_b = user;
    if (owner == "a" && to_a.empty())
      to_a = user;
  }
  auto epoch_a = w.view("a").epoch, epoch_b = w.view("b").epoch;
  w.start("c", {"a", "b"});
  w.start("d", {"a"});

  // For 3 s: who sees whom alive, and a and b keep serving, forwards included.
  auto until = steady::now() + 3s;
  std::map<std::string, cluster_view> last;
  std::set<std::string> alive_seen; // "x:y": x listed y alive
  std::set<std::uint64_t> epochs_a, epochs_b;
  int logs = 0;
  std::vector<std::string> failed_logs;
  while (steady::now() < until) {
    for (auto id : {"a", "b", "c", "d"}) {
      last[id] = w.view(id);
      for (auto& [member, state] : last[id].states)
        if (state == "alive" && member != id)
          alive_seen.insert(std::string(id) + ":" + member);
    }
    epochs_a.insert(last["a"].epoch);
    epochs_b.insert(last["b"].epoch);
    for (auto [node, user] : {std::pair{std::string("a"), to_b}, std::pair{std::string("b"), to_a}}) {
      if (user.empty())
        continue;
      ++logs;
      auto r = w.log_query(node, user, "Top 5 stocks by volume");
      if (r.status != 200)
        failed_logs.push_back(node + " for " + user + " at " +
                              std::to_string(3000 - ms_since(steady::now(), until)) + " ms: " +
                              std::to_string(r.status) + " " + r.body);
    }
    std::this_thread::sleep_for(50ms);
  }
  for (auto pair : {"a:d", "a:c", "b:c", "c:a", "c:b", "d:a"})
    BOOST_TEST(!alive_seen.count(pair), pair << " was seen alive; last views: a " << last["a"].body
                                             << " c " << last["c"].body << " d " << last["d"].body);
  BOOST_TEST(last["a"].state_of("b") == "alive", last["a"].body);
  BOOST_TEST(last["b"].state_of("a") == "alive", last["b"].body);
  BOOST_TEST(last["a"].alive() == 2, last["a"].body);
  BOOST_TEST(last["d"].status == 200, last["d"].body);
  // The rogue nodes' attempts must not disturb a and b: their live set never changed (every
  // change raises the epoch), and every request a or b got was answered.
  BOOST_TEST_MESSAGE("a's epochs during the rogue nodes' attempts: " << epochs_a.size()
                     << " (" << epoch_a << " before), b's: " << epochs_b.size() << " ("
                     << epoch_b << " before); " << failed_logs.size() << " of " << logs
                     << " logs failed");
  if (epochs_a.size() > 1 || epochs_b.size() > 1 || !failed_logs.empty())
    BOOST_TEST_MESSAGE(
      "SERVER ISSUE (found 2026-12-02 against main 1aeaeec [cluster-wired]): with TLS, every "
      "failed handshake of a node holding another CA's certificate (d connecting to a; the "
      "impostor c connecting to and being connected by a and b) also drops the established a-b "
      "link: both log 'cluster peer lost' at the same millisecond, rejoin 10-90 ms later, and "
      "requests forwarded between them in that moment answer 503 'the node holding this user's "
      "session was lost'; at times a and b end up dead to each other, each its own learner host. "
      "Left failing on purpose: the assertions below are the contract.");
  BOOST_TEST((epochs_a == std::set<std::uint64_t>{epoch_a}),
             "a's membership changed while rogue nodes tried to join: epochs seen "
             << epochs_a.size() << ", started at " << epoch_a);
  BOOST_TEST((epochs_b == std::set<std::uint64_t>{epoch_b}),
             "b's membership changed while rogue nodes tried to join: epochs seen "
             << epochs_b.size() << ", started at " << epoch_b);
  BOOST_TEST(failed_logs.empty(), failed_logs.size() << " of " << logs << " logs failed, first: "
                                                     << (failed_logs.empty() ? "" : failed_logs[0]));
  BOOST_TEST((!to_b.empty() || !to_a.empty()), "no user forwarded between a and b");
  for (auto id : {"a", "b"}) {
    auto log = w.nodes.at(id)->output();
    auto lost = 0;
    for (auto at = log.find("cluster peer lost"); at != std::string::npos;
         at = log.find("cluster peer lost", at + 1))
      ++lost;
    BOOST_TEST_MESSAGE(id << " logged 'cluster peer lost' " << lost << " times; its log (tail): "
                          << log.substr(log.size() > 2500 ? log.size() - 2500 : 0));
  }
  BOOST_WARN_MESSAGE(w.nodes.at("a")->output().find("TLS") != std::string::npos,
                     "a's log does not mention TLS: " << w.nodes.at("a")->output());
}

BOOST_AUTO_TEST_SUITE_END()
