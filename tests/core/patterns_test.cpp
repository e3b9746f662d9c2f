#include "core/patterns.hpp"

#include <algorithm>

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


/// What a shard's saves leave in the tables, as a load reads them back: rows upserted by key
/// (users added), and the watermark of the last save.
struct stored_shard {
  pattern_shard_state state;
  void save(const pattern_shard_state& s) {
    state.shard = s.shard;
    state.watermark = s.watermark;
    for (auto& row : s.rows) {
      auto same = std::find_if(state.rows.begin(), state.rows.end(), [&](const pattern_row& r) {
        return r.type == row.type && r.target == row.target && r.template_text == row.template_text;
      });
      if (same == state.rows.end()) {
        state.rows.push_back(row);
        continue;
      }
      auto users = same->users;
      *same = row;
      for (auto& u : users)
        if (std::find(row.users.begin(), row.users.end(), u) == row.users.end())
          same->users.push_back(u);
    }
  }
};

/// Activity `id`: queries of new questions and of known ones, from three users in two
/// roles, with a click now and then.
learned_activity activity(std::int64_t id) {
  static const char* nouns[] = {"apples", "pears", "plums", "grapes", "melons", "lemons", "figs"};
  auto user = "u" + std::to_string(id % 3);
  auto role = id % 3 == 0 ? "analyst" : "manager";
  auto noun = std::string(nouns[(id / 4) % 7]);
  if (id % 5 == 0) {
    auto click = query(id, user, role, "");
    click.activity_type = "suggestion_click";
    click.query_text.clear();
    click.suggestion_clicked = "how many " + noun + " did we sell";
    return click;
  }
  auto a = query(id, user, role, "how many " + noun + " did we sell",
                 id % 7 == 0 ? R"({"error":"x"})" : R"({"data":[1]})");
  if (id % 6 == 0)
    a.query_text = "which stores sell " + noun + " in " + std::to_string(id / 6 % 4) + " colours";
  if (id % 4 == 1) { // a new question, asked again four activities later
    auto n = id / 8;
    a.query_text = std::string("which shelves hold ") + char('a' + n % 26) + char('a' + n / 26);
  }
  return a;
}

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

// Every shard reads every activity (the router shares one message): each applies only those
// with a target of its own, and still moves its watermark past the others.
BOOST_AUTO_TEST_CASE(a_shard_applies_only_activities_with_a_target_of_its_own) {
  int global_shard = shard_of("global", "global");
  // A user and a role whose patterns both live outside the global pattern's shard.
  std::string user, role;
  for (int i = 0; user.empty() || role.empty(); ++i) {
    auto u = "u" + std::to_string(i), r = "r" + std::to_string(i);
    if (user.empty() && shard_of("user_specific", u) != global_shard)
      user = u;
    if (role.empty() && shard_of("role_based", r) != global_shard &&
        (user.empty() || shard_of("role_based", r) != shard_of("user_specific", user)))
      role = r;
  }
  int user_shard = shard_of("user_specific", user), role_shard = shard_of("role_based", role);
  books b;
  auto a = query(7, user, role, "Top 10 stocks by volume");
  for (int s = 0; s < pattern_shards; ++s) {
    bool own = s == global_shard || s == user_shard || s == role_shard;
    BOOST_TEST(b.all[static_cast<std::size_t>(s)].apply(a) == own, "shard " << s);
    BOOST_TEST(b.all[static_cast<std::size_t>(s)].watermark() == 7, "shard " << s);
    BOOST_TEST(b.all[static_cast<std::size_t>(s)].patterns().size() == (own ? 1u : 0u),
               "shard " << s);
  }
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

// New patterns are saved alone, under the watermark already stored, between full saves; after a
// crash, the stored rows plus a replay from the watermark give what one pass over every activity
// gives: nothing saved early is counted twice, nothing unsaved is lost.
BOOST_AUTO_TEST_CASE(saving_new_patterns_early_keeps_a_replay_exact) {
  const std::int64_t last = 120;
  books once;
  for (std::int64_t id = 1; id <= last; ++id)
    once.apply(activity(id));
  for (int shard = 0; shard < pattern_shards; ++shard) {
    stored_shard store;
    store.state.shard = shard;
    pattern_book before_crash{store.state};
    int new_only_saves = 0, new_rows_saved = 0;
    for (std::int64_t id = 1; id <= 110; ++id) {
      before_crash.apply(activity(id));
      if (id % 30 == 0) {
        store.save(before_crash.take_changes());
        before_crash.mark_saved(store.state.watermark);
      } else if (id % 7 == 0 && before_crash.has_new_patterns()) {
        auto early = before_crash.take_new_patterns();
        BOOST_TEST(early.watermark == store.state.watermark); // the stored one stays
        new_rows_saved += static_cast<int>(early.rows.size());
        ++new_only_saves;
        store.save(early);
        before_crash.mark_saved(early.watermark);
      }
    }
    BOOST_TEST(new_only_saves > 0);
    BOOST_TEST(new_rows_saved > 0);
    // Killed with unsaved counts: reload and replay every activity after the stored watermark.
    pattern_book after{store.state};
    for (std::int64_t id = store.state.watermark + 1; id <= last; ++id)
      after.apply(activity(id));
    auto& want = once.all[static_cast<std::size_t>(shard)].patterns();
    BOOST_TEST(after.patterns().size() == want.size());
    for (auto& [key, stats] : want) {
      auto got = after.patterns().find(key);
      BOOST_REQUIRE_MESSAGE(got != after.patterns().end(), key.template_text);
      auto a = to_row(key, got->second), b = to_row(key, stats);
      BOOST_TEST(a.frequency == b.frequency, key.type << " " << key.template_text);
      BOOST_TEST(a.metadata_json == b.metadata_json, key.template_text);
      BOOST_TEST(a.users == b.users, key.template_text);
      BOOST_TEST(a.learned_through == b.learned_through, key.template_text);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_failed_early_save_goes_again) {
  pattern_shard_state st;
  st.shard = shard_of("global", "global");
  pattern_book book{st};
  book.apply(query(3, "u1", "", "Compare revenue across regions"));
  auto early = book.take_new_patterns();
  BOOST_REQUIRE(!early.rows.empty());
  BOOST_TEST(early.rows[0].learned_through == 3);
  BOOST_TEST(early.watermark == 0);
  BOOST_TEST(!book.has_new_patterns());
  BOOST_TEST(!book.take_changes().rows.size()); // saved early: nothing left to save
  book.restore_changes(early);
  BOOST_TEST(book.has_new_patterns());
  BOOST_TEST(book.take_new_patterns().rows.size() == early.rows.size());
  book.apply(query(4, "u1", "", "Compare revenue across regions"));
  BOOST_TEST(!book.has_new_patterns()); // only counts changed: they wait for the next full save
  auto full = book.take_changes();
  BOOST_TEST(full.rows.size() == early.rows.size());
  BOOST_TEST(full.watermark == 4);
}

BOOST_AUTO_TEST_SUITE_END()
