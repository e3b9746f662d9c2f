// Tests for shard_hash: the published FNV-1a values (so the owner of a key is the same in every
// process), the range, and an even enough spread of user ids.
#include "core/shard_hash.hpp"
#include "core/stable_hash.hpp"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(shard_hashing)

BOOST_AUTO_TEST_CASE(the_hash_is_fnv1a_64_and_so_stable_across_processes) {
  BOOST_TEST(fnv1a64("") == 0xcbf29ce484222325ull);
  BOOST_TEST(fnv1a64("a") == 0xaf63dc4c8601ec8cull);
  BOOST_TEST(fnv1a64("foobar") == 0x85944171f73967e8ull);
}

BOOST_AUTO_TEST_CASE(a_key_has_one_shard_in_range_and_users_spread_evenly) {
  BOOST_TEST(shard_of_key("anyone", 1) == 0u);
  BOOST_TEST(shard_of_key("anyone", 0) == 0u);
  BOOST_TEST(shard_of_key("foobar", 7) == 0x85944171f73967e8ull % 7);
  std::vector<int> per_shard(4, 0);
  for (int i = 0; i < 4000; ++i) {
    auto key = "user-" + std::to_string(i);
    auto s = shard_of_key(key, 4);
    BOOST_TEST(s < 4u);
    BOOST_TEST(s == shard_of_key(key, 4));
    per_shard[s] += 1;
  }
  for (int n : per_shard) {
    BOOST_TEST(n > 800);
    BOOST_TEST(n < 1200);
  }
}

BOOST_AUTO_TEST_SUITE_END()
