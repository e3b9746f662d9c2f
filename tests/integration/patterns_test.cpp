// Pattern learning end to end: exact counts, success and timing statistics, the k-users rule,
// clicks and ratings, the patterns route and export, crash recovery, and rebuild == incremental.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <csignal>
#include <dirent.h>
#include <functional>
#include <pqxx/pqxx>
#include <thread>

#include "core/activity_type.hpp"
#include "core/patterns.hpp"
#include "storage/store_set.hpp"
#include "tests/integration/db_helpers.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/json_assert.hpp"
#include "tests/integration/server_process.hpp"

using namespace foresight;
using namespace foresight::testing;

namespace {

/// Four query families; within a family only numbers and periods change, so each family is one
/// template.
std::string family_query(int family, int variant) {
  switch (family) {
    case 0: return "Top " + std::to_string(5 + variant) + " stocks by volume";
    case 1: return "Show me profit for Q" + std::to_string(1 + variant % 4) + " " +
                   std::to_string(2020 + variant % 5);
    case 2: return "Compare revenue across regions";
    default: return "Average price by product category";
  }
}

std::string query_body(const std::string& text, bool ok = true, int ms = 100) {
  return std::string(R"({"activity_type":"query","query_text":")") + text +
         R"(","response_data":{)" + (ok ? R"("data":[{"v":1}])" : R"("error":"timeout")") +
         R"(,"metadata":{"execution_time_ms":)" + std::to_string(ms) + "}}}";
}

/// Every pattern row, as text, in a stable order (what rebuild must reproduce).
std::string pattern_table(const std::string& db) {
  pqxx::connection c{db};
  pqxx::read_transaction tx{c};
  std::string out;
  for (auto r : tx.exec("SELECT concat_ws('|', pattern_type, target_id, query_template, frequency,"
                        " success_rate, avg_response_time, last_used, metadata::text,"
                        " (SELECT string_agg(user_id, ',' ORDER BY user_id) FROM"
                        "  query_pattern_users u WHERE u.pattern_id = p.id))"
                        " FROM query_patterns p ORDER BY 1"))
    out += r[0].as<std::string>() + "\n";
  return out;
}

std::vector<std::string> serve_fast(const std::string& db) {
  return serve_args(db, {"--pattern-flush-ms", "50", "--pattern-count-flush-ms", "50"});
}

/// The nice value of each of process `pid`'s threads (field 19 of /proc/PID/task/TID/stat).
std::vector<int> thread_nice_values(int pid) {
  std::vector<int> out;
  auto dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d)
    return out;
  while (auto* e = readdir(d)) {
    if (e->d_name[0] == '.')
      continue;
    auto f = proc_stat_fields(dir + "/" + e->d_name + "/stat");
    if (f.size() > 16)
      out.push_back(std::stoi(f[16]));
  }
  closedir(d);
  return out;
}

int threads_at_nice(int pid, int nice) {
  auto all = thread_nice_values(pid);
  return static_cast<int>(std::count(all.begin(), all.end(), nice));
}

} // namespace

BOOST_AUTO_TEST_SUITE(patterns_learning)

BOOST_AUTO_TEST_CASE(counts_are_exact_after_1000_queries_from_50_users_in_5_roles) {
  auto db = fresh_database();
  for (int u = 0; u < 50; ++u)
    add_user(db, "p" + std::to_string(u), "role" + std::to_string(u % 5), false);
  server_process srv{serve_fast(db)};
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 10; ++t)
    threads.emplace_back([&, t] {
      for (int u = t; u < 50; u += 10)
        for (int j = 0; j < 20; ++j) {
          auto r = request(srv.port(), "POST", "/api/v1/activity/log",
                           query_body(family_query(j % 4, j)), token_for("p" + std::to_string(u)));
          if (r.status != 200)
            ++failures;
        }
    });
  for (auto& t : threads)
    t.join();
  BOOST_TEST(failures.load() == 0);
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'global'", 1000);
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'role_based'", 1000);
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'user_specific'", 1000);
  // Each family is one template: 4 per user, 4 per role, 4 global.
  BOOST_TEST(scalar(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'user_specific'") == 200);
  BOOST_TEST(scalar(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'user_specific' AND frequency <> 5") == 0);
  BOOST_TEST(scalar(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'role_based'") == 20);
  BOOST_TEST(scalar(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'role_based' AND frequency <> 50") == 0);
  BOOST_TEST(scalar(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'global' AND frequency = 250 AND (metadata->>'distinct_users')::int = 50") == 4);
  BOOST_TEST(scalar(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'role_based' AND (metadata->>'distinct_users')::int = 10") == 20);
  BOOST_TEST(scalar(db, "SELECT count(*) FROM query_patterns WHERE query_template = 'top {N} {entity} by {metric}'") == 50 + 5 + 1);

  // Rebuilding from the activities gives the very same tables, twice.
  auto incremental = pattern_table(db);
  for (int round = 0; round < 2; ++round) {
    server_process cli{{"patterns", "rebuild", "--days", "0", "--database-url", db}};
    BOOST_TEST(cli.wait() == 0, cli.output());
    BOOST_TEST(cli.output().find("replayed 1000 activities") != std::string::npos, cli.output());
    BOOST_TEST(pattern_table(db) == incremental);
  }
  // The running server picks the rebuilt tables up and keeps counting from there.
  BOOST_TEST(request(srv.port(), "POST", "/api/v1/activity/log", query_body(family_query(2, 0)),
                     token_for("p0")).status == 200);
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'global'", 1001);
}

BOOST_AUTO_TEST_CASE(success_rate_response_time_clicks_and_ratings) {
  auto db = fresh_database();
  add_user(db, "s1", "analyst", false);
  server_process srv{serve_fast(db)};
  auto token = token_for("s1");
  auto log = [&](const std::string& body) {
    auto r = request(srv.port(), "POST", "/api/v1/activity/log", body, token);
    BOOST_TEST(r.status == 200, r.body);
    return json_at(r.body, "/activity_id");
  };
  log(query_body("Top 10 stocks by volume", true, 100));
  log(query_body("Top 20 stocks by volume", true, 200));
  log(query_body("Top 30 stocks by volume", false, 300));
  auto last = log(query_body("Top 40 stocks by volume", true, 400));
  log(R"({"activity_type":"suggestion_click","suggestion_clicked":"Top 3 stocks by volume"})");
  log(R"({"activity_type":"suggestion_click","suggestion_clicked":"never seen before"})");
  log(R"({"activity_type":"feedback","feedback_rating":4})"); // rates the latest query
  log(R"({"activity_type":"feedback","feedback_rating":2,"metadata":{"activity_id":)" + last + "}}");
  auto mine = "SELECT %s FROM query_patterns WHERE pattern_type = 'user_specific' AND target_id = 's1'";
  auto q = [&](const std::string& what) {
    char buf[512];
    std::snprintf(buf, sizeof buf, mine, what.c_str());
    return std::string(buf);
  };
  wait_for(db, q("(metadata->>'ratings')::int"), 2);
  BOOST_TEST(scalar(db, q("frequency")) == 4);
  BOOST_TEST(scalar(db, q("(success_rate * 100)::int")) == 75);
  BOOST_TEST(scalar(db, q("(avg_response_time * 1000)::int")) == 250);
  BOOST_TEST(scalar(db, q("(metadata->>'clicks')::int")) == 1);
  BOOST_TEST(scalar(db, q("(metadata->>'rating_total')::int")) == 6);
  BOOST_TEST(scalar(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'user_specific'") == 1);

  auto r = request(srv.port(), "GET", "/api/v1/activity/patterns", "", token);
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(json_at(r.body, "/user_id") == "s1");
  BOOST_TEST(json_at(r.body, "/user_pattern_count") == "1");
  BOOST_TEST(json_at(r.body, "/user_patterns/0/query_template") == "top {N} {entity} by {metric}");
  BOOST_TEST(json_at(r.body, "/user_patterns/0/frequency") == "4");
  BOOST_TEST(json_at(r.body, "/user_patterns/0/success_rate") == "0.75");
  BOOST_TEST(json_at(r.body, "/user_patterns/0/avg_response_time") == "0.25");
  BOOST_TEST(json_at(r.body, "/user_patterns/0/pattern_type") == "user_specific");
  BOOST_TEST(json_at(r.body, "/user_patterns/0/metadata/query_type") == "ranking");
  BOOST_TEST(json_at(r.body, "/user_patterns/0/metadata/example_query") == "Top 40 stocks by volume");
  // One user alone: the role's pattern exists but nobody is shown it yet (k = 2).
  BOOST_TEST(json_at(r.body, "/role_pattern_count") == "0");
  auto bad = request(srv.port(), "GET", "/api/v1/activity/patterns?limit=101", "", token);
  BOOST_TEST(bad.status == 422);
  BOOST_TEST(json_at(bad.body, "/error/field") == "limit");
  auto csv = request(srv.port(), "GET", "/api/v1/activity/patterns/export?format=csv", "", token);
  BOOST_TEST(csv.status == 200);
  BOOST_TEST(csv.header("content-type").find("text/csv") == 0u);
  BOOST_TEST(csv.body.find("id,pattern_type,target_id,query_template") == 0u);
  BOOST_TEST(csv.body.find(",user_specific,s1,top {N} {entity} by {metric},4,0.75,0.25,") !=
             std::string::npos, csv.body);
  auto json = request(srv.port(), "GET", "/api/v1/activity/patterns/export?format=json", "", token);
  BOOST_TEST(json_at(json.body, "/user_patterns/0/frequency") == "4");
  BOOST_TEST(request(srv.port(), "GET", "/api/v1/activity/patterns/export?format=xml", "", token).status == 422);
}

BOOST_AUTO_TEST_CASE(role_patterns_are_shown_once_k_colleagues_share_them_without_their_words) {
  auto db = fresh_database();
  add_user(db, "ra", "trader", false);
  add_user(db, "rb", "trader", false);
  server_process srv{serve_fast(db)};
  request(srv.port(), "POST", "/api/v1/activity/log",
          query_body("Compare revenue across regions for Acme Corp"), token_for("ra"));
  wait_for(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'role_based'", 1);
  auto before = request(srv.port(), "GET", "/api/v1/activity/patterns", "", token_for("rb"));
  BOOST_TEST(json_at(before.body, "/role_pattern_count") == "0");
  request(srv.port(), "POST", "/api/v1/activity/log",
          query_body("Compare revenue across regions for Globex"), token_for("rb"));
  wait_for(db, "SELECT max((metadata->>'distinct_users')::int) FROM query_patterns WHERE pattern_type = 'role_based'", 2);
  // Another shard holds rb's own pattern, saved on its own schedule.
  wait_for(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'user_specific' AND target_id = 'rb'", 1);
  auto after = request(srv.port(), "GET", "/api/v1/activity/patterns", "", token_for("rb"));
  BOOST_TEST(json_at(after.body, "/role_pattern_count") == "1");
  BOOST_TEST(json_at(after.body, "/role_patterns/0/target_id") == "trader");
  BOOST_TEST(json_at(after.body, "/role_patterns/0/frequency") == "2");
  // The shared pattern carries no one's words: no example, no customer names. (A user's own
  // pattern may show their own example.)
  auto shared = json_at(after.body, "/role_patterns");
  BOOST_TEST(shared.find("Acme") == std::string::npos, shared);
  BOOST_TEST(shared.find("Globex") == std::string::npos, shared);
  BOOST_TEST(shared.find("example_query") == std::string::npos, shared);
  BOOST_TEST(json_at(after.body, "/user_patterns/0/metadata/example_query") ==
             "Compare revenue across regions for Globex");
}

// An 8 KiB question of unknown words once made a 4.5 KB template whose index row failed every
// save of its shard, for good; and a pattern the database refuses must not block the others.
BOOST_AUTO_TEST_CASE(a_long_question_or_a_refused_pattern_never_stops_learning) {
  auto db = fresh_database();
  add_user(db, "lq", "analyst", false);
  store_set{db}.schema.migrate();
  run_sql(db, {"ALTER TABLE query_patterns ADD CONSTRAINT no_compare CHECK"
               " (NOT (pattern_type = 'user_specific' AND query_template LIKE 'compare%'))"});
  server_process srv{serve_fast(db)};
  auto token = token_for("lq");
  auto log = [&](const std::string& text) {
    auto r = request(srv.port(), "POST", "/api/v1/activity/log", query_body(text), token);
    BOOST_TEST(r.status == 200, r.body);
  };
  std::string words;
  for (int i = 0; words.size() < 8000; ++i)
    words += "zq" + std::to_string(i * 7919) + "x ";
  log(words);
  wait_for(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'user_specific'", 1);
  BOOST_TEST(scalar(db, "SELECT max(length(query_template)) FROM query_patterns") <= 500);
  log(family_query(2, 0)); // its user pattern is refused; the role's and global one are not
  wait_for(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'global'", 2);
  log(family_query(1, 0));
  // Later questions are learned: the shard was not blocked.
  wait_for(db, "SELECT count(*) FROM query_patterns WHERE pattern_type = 'user_specific'", 2);
  auto metrics = request(srv.port(), "GET", "/metrics", "", "");
  BOOST_TEST(metrics.body.find("foresight_pattern_rows_set_aside_total 1\n") != std::string::npos);
}

// A learner, a cache shard and a storage worker fail in turn (a test-only fault switch): each is
// restarted by its supervisor, the user's session keeps working, and the patterns count every
// query exactly once.
BOOST_AUTO_TEST_CASE(failed_actors_are_restarted_and_no_pattern_is_lost_or_counted_twice) {
  auto db = fresh_database();
  add_user(db, "fa", "analyst", false);
  add_user(db, "fadmin", "admin", true);
  server_process srv{serve_args(db, {"--pattern-flush-ms", "300", "--fault-injection", "true"})};
  auto port = srv.port();
  auto token = token_for("fa");
  int logged = 0;
  auto log = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto r = request(port, "POST", "/api/v1/activity/log", query_body(family_query(i % 4, i)),
                       token);
      BOOST_TEST(r.status == 200, r.body);
      logged += r.status == 200;
    }
  };
  log(20);
  BOOST_TEST(request(port, "POST", "/api/v1/debug/fault/learner", "", token).status == 403);
  BOOST_TEST(request(port, "POST", "/api/v1/debug/fault/disk", "", token_for("fadmin")).status ==
             422);
  for (auto target : {"learner", "cache", "storage"}) {
    auto r = request(port, "POST", std::string("/api/v1/debug/fault/") + target, "",
                     token_for("fadmin"));
    BOOST_TEST(r.status == 202, target << ": " << r.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    log(10);
    BOOST_TEST(request(port, "GET", "/api/v1/activity/history?limit=5", "", token).status == 200,
               target);
  }
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'global'", logged);
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'user_specific'",
           logged);
  auto out = srv.output();
  BOOST_TEST(out.find("pattern learner stopped; restarting it") != std::string::npos);
  BOOST_TEST(out.find("suggestion cache shard stopped; restarting it") != std::string::npos);
  BOOST_TEST(out.find("storage worker stopped; restarting it") != std::string::npos);
  // Without the switch, the route does not exist.
  server_process plain{serve_fast(db)};
  BOOST_TEST(request(plain.port(), "POST", "/api/v1/debug/fault/learner", "",
                     token_for("fadmin")).status == 404);
}

// Learning may trail a burst of ingest; the requests in it may not wait for it. Each learner shard
// has a thread of its own at the configured lower priority, a restarted one too, and nothing else
// is lowered.
BOOST_AUTO_TEST_CASE(learner_shards_run_on_threads_of_their_own_at_lower_priority) {
  auto db = fresh_database();
  add_user(db, "ln", "analyst", false);
  add_user(db, "lnadmin", "admin", true);
  server_process srv{
    serve_args(db, {"--learner-nice", "7", "--fault-injection", "true", "--pattern-flush-ms", "50"})};
  auto pid = srv.pid();
  // Relative to the server's own: the tests themselves may run niced.
  auto before = thread_nice_values(pid);
  BOOST_REQUIRE(!before.empty());
  auto base = *std::min_element(before.begin(), before.end());
  auto all = before.size();
  BOOST_TEST(threads_at_nice(pid, base + 7) == pattern_shards);
  BOOST_TEST(static_cast<std::size_t>(threads_at_nice(pid, base)) == all - pattern_shards);
  auto r = request(srv.port(), "POST", "/api/v1/debug/fault/learner", "", token_for("lnadmin"));
  BOOST_TEST(r.status == 202, r.body);
  auto token = token_for("ln");
  for (int i = 0; i < 5; ++i)
    BOOST_TEST(request(srv.port(), "POST", "/api/v1/activity/log", query_body(family_query(0, i)),
                       token).status == 200);
  // The replacement shard learns (so it runs), at the same lower priority.
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'global'", 5);
  BOOST_TEST(threads_at_nice(pid, base + 7) == pattern_shards);
  BOOST_TEST(srv.output().find("pattern learner stopped; restarting it") != std::string::npos);

  server_process same{serve_args(fresh_database(), {"--learner-nice", "0"})};
  auto values = thread_nice_values(same.pid());
  BOOST_REQUIRE(!values.empty());
  BOOST_TEST(std::count(values.begin(), values.end(), values.front()) ==
             static_cast<std::ptrdiff_t>(values.size()));
}

BOOST_AUTO_TEST_CASE(a_learner_killed_mid_stream_loses_nothing_and_counts_nothing_twice) {
  auto db = fresh_database();
  for (int u = 0; u < 6; ++u)
    add_user(db, "k" + std::to_string(u), "role" + std::to_string(u % 2), false);
  std::atomic<int> acked{0};
  {
    // New patterns saved early (every 100 ms), counts later (every 500 ms): the kill finds both.
    server_process srv{
      serve_args(db, {"--pattern-flush-ms", "100", "--pattern-count-flush-ms", "500"})};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
      threads.emplace_back([&, t] {
        for (int j = 0; !stop.load(); ++j) {
          try {
            // Now and then a new question, asked twice: patterns are created all along.
            auto n = t * 100 + j / 16;
            auto text = j % 8 == 7 ? std::string("Which aisle stocks ") + char('a' + n % 26) +
                                       char('a' + n / 26 % 26)
                                   : family_query(j % 4, j);
            auto r = request(srv.port(), "POST", "/api/v1/activity/log", query_body(text),
                             token_for("k" + std::to_string(t)));
            if (r.status == 200)
              ++acked;
          } catch (...) {
            return;
          }
        }
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    srv.stop(SIGKILL); // learners die between flushes, with unsaved counts
    stop = true;
    for (auto& t : threads)
      t.join();
  }
  // An INSERT the killed server had sent still commits, until its backend finds the client gone:
  // count the stored rows only once every backend of the server has ended.
  wait_for(db, other_connections_sql, 0);
  auto stored = scalar(db, "SELECT count(*) FROM user_activity WHERE activity_type = 'query'");
  BOOST_TEST(stored >= acked.load());
  // Some rows were saved early, ahead of their shard's watermark: the replay must skip for them.
  BOOST_TEST(scalar(db, "SELECT count(*) FROM query_patterns WHERE learned_through >"
                        " (SELECT min(last_activity_id) FROM pattern_learner_state)") > 0);
  server_process again{serve_fast(db)};
  // Replay after the watermark brings every stored query in exactly once.
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'global'", stored);
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'user_specific'", stored);
  wait_for(db, "SELECT sum(frequency) FROM query_patterns WHERE pattern_type = 'role_based'", stored);
  auto recovered = pattern_table(db);
  server_process cli{{"patterns", "rebuild", "--days", "0", "--database-url", db}};
  BOOST_TEST(cli.wait() == 0, cli.output());
  BOOST_TEST(pattern_table(db) == recovered);
}

// The learners get an activity live (the committer's receipt) exactly when the replay query
// returns it, with the same fields: the rule is the activity type table's, in both paths.
BOOST_AUTO_TEST_CASE(live_and_replayed_learnable_activities_agree) {
  auto db = fresh_database();
  add_user(db, "lv", "analyst", false);
  store_set s{db};
  s.schema.migrate();
  auto row = [](const std::string& type) {
    activity_row r;
    r.user_id = "lv";
    r.role = "analyst";
    r.activity_type = type;
    r.has_query_text = true;
    r.query_text = "Revenue by region";
    r.response_data_json = R"({"data":[]})";
    r.metadata_json = R"({"role":"analyst"})";
    r.has_suggestion_clicked = type == "suggestion_click";
    r.suggestion_clicked = r.has_suggestion_clicked ? "Revenue by month" : "";
    r.feedback_rating = type == "feedback" ? 4 : 0;
    return r;
  };
  activity_batch first;
  for (auto& t : activity_types())
    first.rows.push_back(row(std::string(t.name)));
  auto live = s.activities.insert_activities(first).learned;
  auto rating = row("feedback");
  rating.rated_activity_id = live.front().id; // the query
  rating.metadata_json = R"({"role":"analyst","activity_id":)" +
                         std::to_string(rating.rated_activity_id) + "}";
  auto second = s.activities.insert_activities(activity_batch{{rating}}).learned;
  live.insert(live.end(), second.begin(), second.end());

  auto replayed = s.activities.replay_activities(0, 100).items;
  BOOST_REQUIRE(live.size() == replayed.size());
  std::size_t learnable = 0;
  for (auto& t : activity_types())
    learnable += t.learnable ? 1 : 0;
  BOOST_TEST(live.size() == learnable + 1);
  for (std::size_t i = 0; i < live.size(); ++i) {
    auto &a = live[i], &b = replayed[i];
    BOOST_TEST(is_learnable_activity_type(a.activity_type));
    BOOST_TEST(a.id == b.id);
    BOOST_TEST(a.activity_type == b.activity_type);
    BOOST_TEST(a.user_id == b.user_id);
    BOOST_TEST(a.role == b.role);
    BOOST_TEST(a.query_text == b.query_text);
    BOOST_TEST(a.suggestion_clicked == b.suggestion_clicked);
    BOOST_TEST(a.feedback_rating == b.feedback_rating);
    BOOST_TEST(a.rated_activity_id == b.rated_activity_id);
    BOOST_TEST(a.rated_query_text == b.rated_query_text);
    BOOST_TEST(a.connection_id == b.connection_id);
    BOOST_TEST(a.created_at == b.created_at);
  }
  BOOST_TEST(live.back().rated_query_text == "Revenue by region");
}

BOOST_AUTO_TEST_SUITE_END()
