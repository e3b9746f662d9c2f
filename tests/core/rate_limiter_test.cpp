// Tests for rate_limiter: bursts and refill, and a map that stays bounded whatever keys come.
#include "core/rate_limiter.hpp"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace foresight;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(rate_limiting)

BOOST_AUTO_TEST_CASE(a_burst_is_admitted_then_the_rate_with_a_retry_after) {
  rate_limiter limiter{1, 3};
  auto t0 = rate_limiter::clock::now();
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(limiter.admit("alice", t0) == 0);
  BOOST_TEST(limiter.admit("alice", t0) == 1);
  BOOST_TEST(limiter.admit("bob", t0) == 0, "keys are independent");
  BOOST_TEST(limiter.admit("alice", t0 + 1100ms) == 0, "one token back after a second");
  BOOST_TEST(limiter.admit("alice", t0 + 1200ms) > 0);
}

BOOST_AUTO_TEST_CASE(a_zero_rate_admits_everything_and_keeps_nothing) {
  rate_limiter limiter{0, 1};
  for (int i = 0; i < 100; ++i)
    BOOST_TEST(limiter.admit("k" + std::to_string(i)) == 0);
  BOOST_TEST(limiter.size() == 0u);
}

BOOST_AUTO_TEST_CASE(idle_keys_are_evicted_once_their_bucket_is_full_again) {
  rate_limiter limiter{10, 20}; // full again 2 s after the last use
  auto t0 = rate_limiter::clock::now();
  for (int i = 0; i < 1000; ++i)
    limiter.admit("login:user" + std::to_string(i), t0);
  BOOST_TEST(limiter.size() == 1000u);
  limiter.admit("login:late", t0 + 1s);
  BOOST_TEST(limiter.size() == 1001u, "not idle long enough yet");
  limiter.admit("login:later", t0 + 2500ms);
  BOOST_TEST(limiter.size() == 2u, "the 1000 idle buckets went; the one used at 1 s stays");
}

BOOST_AUTO_TEST_CASE(the_map_never_exceeds_its_bound_and_drops_the_oldest_first) {
  rate_limiter limiter{1, 2, 100};
  auto t0 = rate_limiter::clock::now();
  limiter.admit("old", t0);
  limiter.admit("old", t0);
  BOOST_TEST(limiter.admit("old", t0) > 0);
  limiter.admit("kept", t0);
  limiter.admit("kept", t0);
  for (int i = 0; i < 10000; ++i) {
    limiter.admit("kept", t0); // in use: stays at the front
    limiter.admit("name" + std::to_string(i), t0);
  }
  BOOST_TEST(limiter.size() == 100u);
  BOOST_TEST(limiter.admit("kept", t0) > 0, "a bucket in use keeps its state");
  BOOST_TEST(limiter.admit("old", t0) == 0, "the oldest was evicted (a fresh bucket)");
}

BOOST_AUTO_TEST_SUITE_END()
