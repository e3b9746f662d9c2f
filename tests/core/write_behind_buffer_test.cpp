// Tests for write_behind_buffer: one batch at a time, counts once per period, the bound on
// waiting inserts, impressions aggregated, invalidation and forgetting.
#include "core/write_behind_buffer.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

namespace {

cached_suggestions row(const std::string& key, const std::string& user) {
  cached_suggestions r;
  r.context_hash = key;
  r.user_id = user;
  r.expires_at_ms = 1000;
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(write_behind_buffer)

BOOST_AUTO_TEST_CASE(nothing_pending_means_no_batch) {
  foresight::write_behind_buffer b;
  std::size_t dropped = 9;
  BOOST_TEST(!b.due(0, 1000, dropped).has_value());
  BOOST_TEST(dropped == 0u);
  BOOST_TEST(!b.writing());
}

BOOST_AUTO_TEST_CASE(one_batch_at_a_time) {
  foresight::write_behind_buffer b;
  std::size_t dropped = 0;
  b.insert(row("k1", "u"));
  auto w = b.due(0, 1000, dropped);
  BOOST_TEST_REQUIRE(w.has_value());
  BOOST_TEST(w->inserts.size() == 1u);
  BOOST_TEST(b.writing());
  b.insert(row("k2", "u"));
  BOOST_TEST(!b.due(10, 1000, dropped).has_value(), "a batch is under way");
  b.written();
  auto w2 = b.due(20, 1000, dropped);
  BOOST_TEST_REQUIRE(w2.has_value());
  BOOST_TEST(w2->inserts.size() == 1u);
  BOOST_TEST(w2->inserts[0].context_hash == "k2");
}

BOOST_AUTO_TEST_CASE(hit_counts_and_impressions_go_once_per_period) {
  foresight::write_behind_buffer b;
  std::size_t dropped = 0;
  b.count_hit("k");
  b.count_hit("k");
  b.served("u", "c", "cached", "A", 3);
  auto w = b.due(0, 1000, dropped); // due at once the first time
  BOOST_TEST_REQUIRE(w.has_value());
  BOOST_TEST_REQUIRE(w->hits.size() == 1u);
  BOOST_TEST(w->hits[0].context_hash == "k");
  BOOST_TEST(w->hits[0].hits == 2);
  BOOST_TEST(w->impressions.size() == 1u);
  b.written();
  b.count_hit("k");
  BOOST_TEST(!b.due(999, 1000, dropped).has_value(), "counts wait for their period");
  auto w2 = b.due(1000, 1000, dropped);
  BOOST_TEST_REQUIRE(w2.has_value());
  BOOST_TEST(w2->hits.size() == 1u);
  BOOST_TEST(w2->hits[0].hits == 1);
}

BOOST_AUTO_TEST_CASE(inserts_do_not_wait_for_the_counting_period) {
  foresight::write_behind_buffer b;
  std::size_t dropped = 0;
  b.count_hit("k");
  BOOST_TEST(b.due(0, 1000, dropped).has_value());
  b.written();
  b.count_hit("k");
  b.insert(row("k2", "u"));
  auto w = b.due(10, 1000, dropped);
  BOOST_TEST_REQUIRE(w.has_value());
  BOOST_TEST(w->inserts.size() == 1u);
  BOOST_TEST(w->hits.empty(), "the hit waits for its period");
}

BOOST_AUTO_TEST_CASE(impressions_add_up_per_user_connection_source_and_arm) {
  foresight::write_behind_buffer b;
  std::size_t dropped = 0;
  b.served("u", "c", "cached", "A", 3);
  b.served("u", "c", "cached", "A", 2);
  b.served("u", "c", "patterns", "A", 4);
  b.served("u", "c", "cached", "B", 1);
  b.served("v", "c", "cached", "A", 1);
  auto w = b.due(0, 1000, dropped);
  BOOST_TEST_REQUIRE(w.has_value());
  BOOST_TEST(w->impressions.size() == 4u);
  bool found = false;
  for (auto& i : w->impressions)
    if (i.user_id == "u" && i.source == "cached" && i.arm == "A") {
      found = true;
      BOOST_TEST(i.lists == 2);
      BOOST_TEST(i.suggestions == 5);
      BOOST_TEST(i.connection_id == "c");
    }
  BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(while_writing_the_oldest_waiting_inserts_past_the_bound_go) {
  foresight::write_behind_buffer b{3};
  std::size_t dropped = 0;
  b.insert(row("first", "u"));
  BOOST_TEST(b.due(0, 1000, dropped).has_value());
  for (int i = 0; i < 5; ++i)
    b.insert(row("k" + std::to_string(i), "u"));
  BOOST_TEST(!b.due(10, 1000, dropped).has_value());
  BOOST_TEST(dropped == 2u);
  b.written();
  auto w = b.due(20, 1000, dropped);
  BOOST_TEST_REQUIRE(w.has_value());
  BOOST_TEST_REQUIRE(w->inserts.size() == 3u);
  BOOST_TEST(w->inserts[0].context_hash == "k2");
  BOOST_TEST(w->inserts[2].context_hash == "k4");
}

BOOST_AUTO_TEST_CASE(an_invalidated_user_loses_waiting_inserts_and_is_deleted_first) {
  foresight::write_behind_buffer b;
  std::size_t dropped = 0;
  b.insert(row("k1", "alice"));
  b.insert(row("k2", "bob"));
  b.served("alice", "c", "cached", "A", 1);
  b.invalidate_user("alice");
  auto w = b.due(0, 1000, dropped);
  BOOST_TEST_REQUIRE(w.has_value());
  BOOST_TEST_REQUIRE(w->inserts.size() == 1u);
  BOOST_TEST(w->inserts[0].user_id == "bob");
  BOOST_TEST(w->invalidated_users == std::vector<std::string>{"alice"});
  BOOST_TEST(w->impressions.size() == 1u, "invalidating keeps impressions");
}

BOOST_AUTO_TEST_CASE(a_forgotten_user_also_loses_impressions) {
  foresight::write_behind_buffer b;
  std::size_t dropped = 0;
  b.served("alice", "c", "cached", "A", 1);
  b.served("bob", "c", "cached", "A", 1);
  b.insert(row("k1", "alice"));
  b.forget_user("alice");
  auto w = b.due(0, 1000, dropped);
  BOOST_TEST_REQUIRE(w.has_value());
  BOOST_TEST(w->inserts.empty());
  BOOST_TEST_REQUIRE(w->impressions.size() == 1u);
  BOOST_TEST(w->impressions[0].user_id == "bob");
  BOOST_TEST(w->invalidated_users == std::vector<std::string>{"alice"});
}

BOOST_AUTO_TEST_CASE(take_all_takes_counts_even_while_writing) {
  foresight::write_behind_buffer b;
  std::size_t dropped = 0;
  b.insert(row("k1", "u"));
  BOOST_TEST(b.due(0, 1000, dropped).has_value());
  b.count_hit("k");
  b.insert(row("k2", "u"));
  auto w = b.take_all();
  BOOST_TEST(w.inserts.size() == 1u);
  BOOST_TEST(w.hits.size() == 1u);
  BOOST_TEST(b.take_all().empty());
}

BOOST_AUTO_TEST_SUITE_END()
