#include "core/patterns.hpp"

#include <boost/test/unit_test.hpp>

#include "core/pattern_book.hpp"

using namespace foresight;

namespace {

learned_activity query(std::int64_t id, const std::string& user, const std::string& role,
                       const std::string& text, const std::string& response = R"({"data":[1]})") {
  learned_activity a;
  a.id = id;
  a.user_id = user;
  a.role = role;
  a.activity_type = "query";
  a.query_text = text;
  a.response_data_json = response;
  a.created_at = "2026-01-0" + std::to_string(1 + id % 9) + "T00:00:00.000Z";
  return a;
}

/// All shards' books, fed every activity, as the rebuild command does.
struct books {
  std::vector<pattern_book> all;
  books() {
    for (int s = 0; s < pattern_shards; ++s) {
      pattern_shard_state st;
      st.shard = s;
      all.emplace_back(st);
    }
  }
  void apply(const learned_activity& a) {
    for (auto& b : all)
      b.apply(a);
  }
  const pattern_stats* find(const std::string& type, const std::string& target,
                            const std::string& tmpl) const {
    for (auto& b : all) {
      auto i = b.patterns().find({type, target, tmpl});
      if (i != b.patterns().end())
        return &i->second;
    }
    return nullptr;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(patterns)

BOOST_AUTO_TEST_CASE(responses_are_judged_by_data_and_error) {
  BOOST_TEST(assess_response(R"({"data":[]})").success);
  BOOST_TEST(!assess_response(R"({"data":[],"error":"boom"})").success);
  BOOST_TEST(assess_response(R"({"data":[1],"error":null})").success);
  BOOST_TEST(!assess_response(R"({"metadata":{}})").success);
  BOOST_TEST(!assess_response("").success);
  auto t = assess_response(R"({"data":[1],"metadata":{"execution_time_ms":245}})");
  BOOST_TEST(t.has_time);
  BOOST_TEST(t.seconds == 0.245);
  BOOST_TEST(!assess_response(R"({"data":[1],"metadata":{"execution_time_ms":"fast"}})").has_time);
}

BOOST_AUTO_TEST_CASE(shards_are_stable_and_spread) {
  BOOST_TEST(shard_of("role_based", "analyst") == shard_of("role_based", "analyst"));
  std::set<int> used;
  for (int i = 0; i < 64; ++i)
    used.insert(shard_of("user_specific", "u" + std::to_string(i)));
  BOOST_TEST(used.size() == static_cast<std::size_t>(pattern_shards));
}

BOOST_AUTO_TEST_CASE(stored_rows_restore_the_same_statistics) {
  pattern_stats s;
  s.frequency = 7;
  s.successes = 5;
  s.timed = 6;
  s.total_seconds = 1.2345678901234;
  s.last_used = "2026-01-01T00:00:00.000Z";
  s.query_type = "trend";
  s.metrics = {"profit", "revenue"};
  s.clicks = 2;
  s.ratings = 3;
  s.rating_total = 11;
  s.users = {"a", "b"};
  pattern_key key{"role_based", "analyst", "show me {metric} for {timeframe}"};
  auto row = to_row(key, s);
  BOOST_TEST(row.success_rate == 5.0 / 7.0);
  BOOST_TEST(row.avg_response_time == 1.2345678901234 / 6);
  auto back = from_row(row);
  BOOST_TEST(to_row(key, back).metadata_json == row.metadata_json);
  BOOST_TEST(back.total_seconds == s.total_seconds);
  BOOST_TEST(back.users.size() == 2u);
}

BOOST_AUTO_TEST_CASE(each_query_counts_once_in_three_patterns) {
  books b;
  b.apply(query(1, "u1", "analyst", "Top 10 stocks by volume"));
  b.apply(query(2, "u2", "analyst", "Top 20 stocks by volume", R"({"error":"x"})"));
  b.apply(query(2, "u2", "analyst", "Top 20 stocks by volume")); // a duplicate delivery
  const std::string tmpl = "top {N} {entity} by {metric}";
  auto* user = b.find("user_specific", "u1", tmpl);
  auto* role = b.find("role_based", "analyst", tmpl);
  auto* global = b.find("global", "global", tmpl);
  BOOST_REQUIRE(user);
  BOOST_REQUIRE(role);
  BOOST_REQUIRE(global);
  BOOST_TEST(user->frequency == 1);
  BOOST_TEST(role->frequency == 2);
  BOOST_TEST(global->frequency == 2);
  BOOST_TEST(global->success_rate() == 0.5);
  BOOST_TEST(role->users.size() == 2u);
  BOOST_TEST(user->example == "Top 10 stocks by volume");
  BOOST_TEST(role->example.empty()); // shared patterns keep no one's words
  BOOST_TEST(!visible_to_others({"role_based", "analyst", tmpl}, *b.find("role_based", "analyst", tmpl), 3));
  BOOST_TEST(visible_to_others({"role_based", "analyst", tmpl}, *role, 2));
}

BOOST_AUTO_TEST_CASE(changes_are_taken_once_and_restored_after_a_failed_save) {
  pattern_shard_state st;
  st.shard = shard_of("global", "global");
  pattern_book book{st};
  book.apply(query(5, "u1", "", "Compare revenue across regions"));
  BOOST_TEST(book.has_changes());
  auto changes = book.take_changes();
  BOOST_TEST(changes.watermark == 5);
  BOOST_REQUIRE(changes.rows.size() >= 1u);
  BOOST_TEST(!book.take_changes().rows.size());
  book.restore_changes(changes);
  BOOST_TEST(book.take_changes().rows.size() == changes.rows.size());
  book.mark_saved(5);
  BOOST_TEST(!book.has_changes());
}

BOOST_AUTO_TEST_SUITE_END()
