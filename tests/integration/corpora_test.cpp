// The public corpora (shared/corpora, each with a SOURCE.md) against a real server: every
// JSONTestSuite file on every route that reads a JSON body, the naughty strings in every text
// field and parameter, and every http-desync case on the raw socket. Never a 5xx, a hang or a
// crash, and the server answers correctly afterwards.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <simdjson.h>
#include <sstream>

#include "core/json_writer.hpp"
#include "tests/integration/desync_cases.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/json_assert.hpp"
#include "tests/integration/server_process.hpp"

using namespace foresight;
using namespace foresight::testing;
namespace fs = std::filesystem;

namespace {

const fs::path corpora = fs::path(FORESIGHT_SOURCE_DIR) / ".." / "shared" / "corpora";

const std::string sales_catalog = R"({"name":"Sales",
  "metrics":[{"name":"revenue","display_name":"Revenue","aggregation":"sum"}],
  "dimensions":[{"name":"region","display_name":"Region","type":"string"}],
  "entities":[{"name":"product","display_name":"Products"}]})";

std::string read_binary(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string json_quoted(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

/// A server with an admin, an analyst and the sales catalog.
struct corpus_world {
  std::string db = fresh_database();
  std::unique_ptr<server_process> srv;
  std::string admin = token_for("admin1");
  std::string analyst = token_for("analyst1");

  explicit corpus_world(std::vector<std::string> extra = {}) {
    add_user(db, "admin1", "admin", true);
    add_user(db, "analyst1", "analyst", false);
    srv = std::make_unique<server_process>(serve_args(db, std::move(extra)));
    BOOST_REQUIRE_EQUAL(request(port(), "PUT", "/api/v1/connections/sales", sales_catalog, admin)
                          .status,
                        201);
  }

  std::uint16_t port() const { return srv->port(); }

  /// /healthz, a stored activity read back and a suggestion list: the server still works.
  void expect_correct() {
    BOOST_TEST(request(port(), "GET", "/healthz").status == 200);
    auto logged = request(port(), "POST", "/api/v1/activity/log",
                          R"({"activity_type":"query","query_text":"revenue by region",)"
                          R"("metadata":{"connection_id":"sales"}})",
                          analyst);
    BOOST_TEST(logged.status == 200, logged.body);
    auto history = request(port(), "GET", "/api/v1/activity/history?limit=1", "", analyst);
    BOOST_TEST(history.status == 200, history.body);
    BOOST_TEST(json_at(history.body, "/activities/0/query_text") == "revenue by region");
    auto suggested = request(port(), "POST",
                             "/api/v1/connections/sales/suggestions/personalized"
                             "?partial_query=rev&max_suggestions=3",
                             "", analyst);
    BOOST_TEST(suggested.status == 200, suggested.body);
  }
};

/// A route that reads a JSON body, and the token it is called with.
struct json_route {
  const char* method;
  const char* target;
  bool admin;
  bool body_optional; ///< an empty body is no body, not an empty document
};

const json_route json_routes[] = {
  {"POST", "/api/v1/auth/token", false, false},
  {"POST", "/api/v1/users", true, false},
  {"PUT", "/api/v1/connections/corpus", true, false},
  {"POST", "/api/v1/activity/log", false, false},
  {"PUT", "/api/v1/activity/preferences", false, false},
  {"POST", "/api/v1/connections/sales/suggestions/personalized", false, true},
  {"POST", "/api/v1/activity/import", true, false},
};

} // namespace

BOOST_AUTO_TEST_SUITE(corpora_routes)

// Issue 14, item 11: n_array_a_invalid_utf8.json answered 422. Every must-reject file is a 400
// on every route that parses a JSON document (the import reports each bad line instead), every
// must-accept file is never called malformed, and nothing is a 5xx.
BOOST_AUTO_TEST_CASE(json_test_suite_on_every_json_route) {
  corpus_world w;
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(corpora / "jsontestsuite"))
    if (e.path().extension() == ".json")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  BOOST_REQUIRE(files.size() >= 318u);
  for (auto& route : json_routes) {
    bool import = std::string(route.target) == "/api/v1/activity/import";
    for (auto& f : files) {
      auto name = f.filename().string();
      auto body = read_binary(f);
      auto token = route.admin ? w.admin : w.analyst;
      auto r = request(w.port(), route.method, route.target, body, token,
                       {{"Content-Type", "application/json"}});
      BOOST_TEST_CONTEXT(route.method << " " << route.target << " " << name << " -> " << r.status
                                      << " " << r.body) {
        BOOST_TEST(r.status > 0);
        BOOST_TEST(r.status < 500);
        if (import) {
          // NDJSON: an n_ file's lines are each reported; none is stored.
          if (name.rfind("n_", 0) == 0 && r.status == 200)
            BOOST_TEST(json_at(r.body, "/imported") == "0");
        } else if (name.rfind("n_", 0) == 0 && !(body.empty() && route.body_optional)) {
          BOOST_TEST(r.status == 400);
          BOOST_TEST(json_at(r.body, "/error/code") == "bad_request");
        } else if (name.rfind("y_", 0) == 0) {
          BOOST_TEST(r.status != 400);
        }
      }
    }
  }
  w.expect_correct();
}

BOOST_AUTO_TEST_CASE(naughty_strings_in_every_text_field_and_parameter) {
  corpus_world w;
  auto text = read_binary(corpora / "blns" / "blns.json");
  simdjson::dom::parser parser;
  simdjson::dom::array strings = parser.parse(text).get_array();
  std::vector<std::string> naughty;
  for (auto e : strings)
    naughty.emplace_back(std::string_view(e.get_string()));
  BOOST_REQUIRE(naughty.size() >= 500u);
  auto p = w.port();
  int n = 0;
  for (auto& s : naughty) {
    auto q = json_quoted(s);
    auto enc = url_encode(s);
    auto id = "n" + std::to_string(n++);
    std::vector<std::pair<std::string, http_reply>> replies = {
      {"token username",
       request(p, "POST", "/api/v1/auth/token", R"({"username":)" + q + R"(,"password":"x"})")},
      {"token password", request(p, "POST", "/api/v1/auth/token",
                                 R"({"username":"analyst1","password":)" + q + "}")},
      {"user id", request(p, "POST", "/api/v1/users",
                          R"({"id":)" + q + R"(,"password":"pass-1234","role":"analyst"})",
                          w.admin)},
      {"user fields",
       request(p, "POST", "/api/v1/users",
               R"({"id":")" + id + R"(","password":"pass-1234","role":)" + q +
                 R"(,"department":)" + q + R"(,"goals":[)" + q + "]}",
               w.admin)},
      {"catalog texts",
       request(p, "PUT", "/api/v1/connections/naughty",
               R"({"name":)" + q + R"(,"metrics":[{"name":"m","display_name":)" + q +
                 R"(,"description":)" + q + R"(,"aggregation":"sum"}]})",
               w.admin)},
      {"catalog id", request(p, "PUT", "/api/v1/connections/" + enc, sales_catalog, w.admin)},
      {"catalog read", request(p, "GET", "/api/v1/connections/" + enc, "", w.admin)},
      {"preferences", request(p, "PUT", "/api/v1/activity/preferences",
                              R"({"preferred_metrics":[)" + q + R"(],"excluded_metrics":[)" + q +
                                R"(],"preferred_query_types":[)" + q + "]}",
                              w.analyst)},
      {"activity metadata",
       request(p, "POST", "/api/v1/activity/log",
               R"({"activity_type":"query","query_text":"revenue","metadata":{)" + q + ":" + q +
                 R"(,"connection_id":)" + q + R"(},"response_data":{"data":[)" + q + "]}}",
               w.analyst)},
      {"activity type", request(p, "POST", "/api/v1/activity/log",
                                R"({"activity_type":)" + q + R"(,"query_text":"revenue"})",
                                w.analyst)},
      {"idempotency key",
       request(p, "POST", "/api/v1/activity/log",
               R"({"activity_type":"chat","query_text":"hello"})", w.analyst,
               {{"Idempotency-Key", s.find_first_of("\r\n") == std::string::npos ? s : "x"}})},
      {"history parameters",
       request(p, "GET", "/api/v1/activity/history?activity_type=" + enc + "&before_id=" + enc +
                           "&limit=" + enc,
               "", w.analyst)},
      {"patterns parameters", request(p, "GET", "/api/v1/activity/patterns?limit=" + enc +
                                                  "&pattern_type=" + enc,
                                      "", w.analyst)},
      {"export format",
       request(p, "GET", "/api/v1/activity/patterns/export?format=" + enc, "", w.analyst)},
      {"suggestion connection",
       request(p, "POST", "/api/v1/connections/" + enc + "/suggestions/personalized", "",
               w.analyst)},
      {"suggestion parameters",
       request(p, "POST",
               "/api/v1/connections/sales/suggestions/personalized?max_suggestions=" + enc +
                 "&partial_query=" + enc,
               "", w.analyst)},
      {"suggestion body", request(p, "POST", "/api/v1/connections/sales/suggestions/personalized",
                                  R"({"partial_query":)" + q + R"(,"context":)" + q + "}",
                                  w.analyst)},
      {"import line", request(p, "POST", "/api/v1/activity/import",
                              R"({"user_id":)" + q + R"(,"activity_type":"query","query_text":)" +
                                q + R"(,"created_at":)" + q + "}",
                              w.admin, {{"Content-Type", "application/x-ndjson"}})},
    };
    for (auto& [what, r] : replies)
      BOOST_TEST((r.status >= 200 && r.status < 500), what << " with " << q << " -> " << r.status
                                                           << " " << r.body);
  }
  w.expect_correct();
}

BOOST_AUTO_TEST_SUITE_END()

// -- http-desync: the raw socket --------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(corpora_desync)

namespace {

/// Sent after every case on the same connection. After a Severe or Ambiguous case it must never
/// be answered: the server has closed the connection, or took it for part of a body.
const std::string canary = "GET /healthz?canary=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// The cases a strict server should really serve (SOURCE.md, "Using it to test an HTTP server").
bool must_be_served(const desync_case& c) {
  static const std::vector<std::string> names = {
    "No headers", "Valid Transfer-Encoding (chunked)", "Valid Content-Length", "Has a CL in PUT OK",
    "Very many headers", "Has a TE in PUT OK", "HTTP Version.1.1 OK", "Correct CL OK"};
  bool custom_header = c.file == "rfc-compliant.yaml" && c.name.rfind("Valid", 0) == 0 &&
                       c.name.find("custom header") != std::string::npos;
  bool uri_ok = c.file == "uri-specific-test-cases.yaml" && c.tier == "Compliant" &&
                c.name.find("in URI is OK") != std::string::npos;
  return custom_header || uri_ok || std::find(names.begin(), names.end(), c.name) != names.end();
}

/// The replies to `c` followed by the canary on one connection.
std::vector<http_reply> send_case(std::uint16_t port, const desync_case& c) {
  bool served = c.tier == "Compliant" || c.tier == "Acceptable";
  return parse_replies(send_raw(port, c.bytes(served) + canary, 5000));
}

bool is_canary_answer(const http_reply& r) {
  return r.status == 200 && json_at(r.body, "/status") == "ok";
}

} // namespace

BOOST_AUTO_TEST_CASE(every_case_on_the_raw_socket) {
  corpus_world w({"--read-timeout-ms", "500", "--idle-timeout-ms", "500"});
  auto cases = load_desync_cases((corpora / "http-desync").string());
  BOOST_REQUIRE(cases.size() == 159u);
  std::map<std::string, int> tiers;
  for (auto& c : cases)
    ++tiers[c.tier];
  BOOST_TEST(tiers["Severe"] == 58);
  BOOST_TEST(tiers["Ambiguous"] == 58);
  BOOST_TEST(tiers["Compliant"] == 28);
  BOOST_TEST(tiers["Acceptable"] == 15);
  // Eight connections at a time: a case the server waits on costs its read timeout.
  int served = 0;
  for (std::size_t at = 0; at < cases.size(); at += 8) {
    std::vector<std::future<std::vector<http_reply>>> pending;
    for (auto i = at; i < std::min(at + 8, cases.size()); ++i)
      pending.push_back(std::async(std::launch::async, send_case, w.port(), cases[i]));
    for (auto i = at; i < std::min(at + 8, cases.size()); ++i) {
      auto& c = cases[i];
      auto replies = pending[i - at].get();
      BOOST_TEST_CONTEXT(c.file << ": " << c.name << " (" << c.tier << ", " << c.reason << "), "
                                << replies.size() << " replies, first "
                                << (replies.empty() ? 0 : replies[0].status)) {
        for (auto& r : replies)
          BOOST_TEST(r.status < 500);
        if (c.tier == "Severe" || c.tier == "Ambiguous") {
          BOOST_TEST(replies.size() <= 1u);
          for (auto& r : replies) {
            BOOST_TEST(!is_canary_answer(r));
            BOOST_TEST((r.status >= 400 || r.status == 0), r.body);
          }
        }
        if (must_be_served(c)) {
          ++served;
          BOOST_TEST(replies.size() == 2u);
          if (replies.size() == 2u) {
            BOOST_TEST(replies[0].status != 400, replies[0].body);
            BOOST_TEST(is_canary_answer(replies[1]));
          }
        }
      }
    }
  }
  BOOST_TEST(served >= 14);
  w.expect_correct();
}

BOOST_AUTO_TEST_SUITE_END()
