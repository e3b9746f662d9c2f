// Tests for freshness_table: fresh, then stale and refreshed by one read behind a request, then
// expired; failed reads; the jittered freshness and the bound on keys.
#include "core/freshness_table.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;
using table = freshness_table<int>;

namespace {
table::policy policy(std::int64_t fresh, std::int64_t stale, std::size_t keys = 100) {
  table::policy p;
  p.fresh_ms = fresh;
  p.max_stale_ms = stale;
  p.max_keys = keys;
  return p;
}
} // namespace

BOOST_AUTO_TEST_SUITE(freshness_table)

BOOST_AUTO_TEST_CASE(a_missing_value_is_read_and_waited_for) {
  table t{policy(1000, 10000)};
  auto f = t.use("u", 0);
  BOOST_TEST(f.value == nullptr);
  BOOST_TEST(t.reading("u"), "the caller reads it now");
  t.store("u", 7, 5, 0);
  BOOST_TEST(!t.reading("u"));
  auto g = t.use("u", 6);
  BOOST_REQUIRE(g.value != nullptr);
  BOOST_TEST(*g.value == 7);
  BOOST_TEST(!g.refresh, "fresh: no read");
}

BOOST_AUTO_TEST_CASE(a_stale_value_serves_while_exactly_one_read_refreshes_it) {
  table t{policy(1000, 10000)};
  t.store("u", 1, 0, 0); // jitter 0: fresh for half of fresh_ms
  BOOST_TEST(!t.use("u", 499).refresh);
  auto first = t.use("u", 500);
  BOOST_REQUIRE(first.value != nullptr);
  BOOST_TEST(first.refresh, "stale: this request starts the refresh");
  auto second = t.use("u", 600);
  BOOST_REQUIRE(second.value != nullptr);
  BOOST_TEST(*second.value == 1);
  BOOST_TEST(!second.refresh, "a read is under way already");
  t.store("u", 2, 700, 0);
  BOOST_TEST(*t.use("u", 701).value == 2);
}

BOOST_AUTO_TEST_CASE(past_max_stale_a_value_is_no_longer_served) {
  table t{policy(1000, 3000)};
  t.store("u", 1, 0, 0);
  BOOST_TEST(t.use("u", 2999).value != nullptr);
  t.read_failed("u");
  auto f = t.use("u", 3000);
  BOOST_TEST(f.value == nullptr, "expired: the request waits for a read");
}

BOOST_AUTO_TEST_CASE(a_failed_refresh_lets_the_next_request_try_again) {
  table t{policy(1000, 10000)};
  t.store("u", 1, 0, 0);
  BOOST_TEST(t.use("u", 600).refresh);
  BOOST_TEST(!t.use("u", 610).refresh);
  t.read_failed("u");
  BOOST_TEST(t.use("u", 620).refresh);
}

BOOST_AUTO_TEST_CASE(fresh_only_answers_fresh_values_and_marks_nothing) {
  table t{policy(1000, 10000)};
  BOOST_TEST(t.fresh("r", 0) == nullptr);
  t.store("r", 3, 0, 1000); // jitter 1000 % 1001: fresh for 500 + 1000 ms
  BOOST_TEST(t.fresh("r", 1499) != nullptr);
  BOOST_TEST(t.fresh("r", 1500) == nullptr);
  BOOST_TEST(!t.reading("r"));
}

BOOST_AUTO_TEST_CASE(jitter_spreads_freshness_between_half_and_one_and_a_half_periods) {
  table t{policy(1000, 10000)};
  t.store("a", 1, 0, 0);
  t.store("b", 1, 0, 1000);
  t.store("c", 1, 0, 1001); // wraps to 0
  BOOST_TEST(t.fresh("a", 499) != nullptr);
  BOOST_TEST(t.fresh("a", 500) == nullptr);
  BOOST_TEST(t.fresh("b", 1499) != nullptr);
  BOOST_TEST(t.fresh("c", 500) == nullptr);
}

BOOST_AUTO_TEST_CASE(a_full_table_is_emptied_before_a_new_key) {
  table t{policy(1000, 10000, 2)};
  t.store("a", 1, 0, 0);
  t.store("b", 2, 0, 0);
  t.store("a", 3, 0, 0);
  BOOST_TEST(t.size() == 2u, "a known key replaces its value");
  t.store("c", 4, 0, 0);
  BOOST_TEST(t.size() == 1u);
  BOOST_TEST(t.fresh("a", 1) == nullptr);
  BOOST_TEST(*t.fresh("c", 1) == 4);
}

BOOST_AUTO_TEST_SUITE_END()
