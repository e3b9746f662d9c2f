// Tests for cache_entry_store: expiry at exactly the TTL, eviction order at the bound,
// replacement, removal by user.
#include "core/cache_entry_store.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

namespace {

cache_entry make(const std::string& user, std::int64_t expires_ms, const std::string& source = "patterns") {
  cache_entry e;
  e.user_id = user;
  e.expires_ms = expires_ms;
  e.list.source = source;
  return e;
}

} // namespace

BOOST_AUTO_TEST_SUITE(cache_entry_store)

BOOST_AUTO_TEST_CASE(an_entry_is_live_until_exactly_its_expiry_and_then_removed) {
  foresight::cache_entry_store s{10};
  s.put("k", make("u", 1000));
  BOOST_TEST(s.find_live("k", 0) != nullptr);
  BOOST_TEST(s.find_live("k", 999) != nullptr);
  BOOST_TEST(s.find_live("k", 1000) == nullptr, "expired at exactly expires_ms");
  BOOST_TEST(s.size() == 0u, "an expired entry found is removed");
  BOOST_TEST(s.find("k") == nullptr);
  BOOST_TEST(s.find_live("missing", 0) == nullptr);
}

BOOST_AUTO_TEST_CASE(find_sees_an_expired_entry_without_removing_it) {
  foresight::cache_entry_store s{10};
  s.put("k", make("u", 1000));
  BOOST_TEST(s.find("k") != nullptr);
  BOOST_TEST(s.size() == 1u);
}

BOOST_AUTO_TEST_CASE(at_the_bound_the_entry_inserted_first_goes_one_per_insertion) {
  foresight::cache_entry_store s{3};
  s.put("a", make("u", 100));
  s.put("b", make("u", 200));
  s.put("c", make("u", 300));
  BOOST_TEST(s.size() == 3u);
  s.put("d", make("u", 400));
  BOOST_TEST(s.size() == 3u);
  BOOST_TEST(s.find("a") == nullptr);
  BOOST_TEST(s.find("b") != nullptr);
  s.put("e", make("u", 500));
  BOOST_TEST(s.find("b") == nullptr);
  BOOST_TEST(s.find("c") != nullptr);
  BOOST_TEST(s.find("d") != nullptr);
  BOOST_TEST(s.find("e") != nullptr);
}

BOOST_AUTO_TEST_CASE(replacing_a_key_never_evicts_and_moves_it_to_the_back) {
  foresight::cache_entry_store s{2};
  s.put("a", make("u", 100));
  s.put("b", make("u", 200));
  s.put("a", make("u", 300, "llm_with_patterns")); // replaced: full, but not growing
  BOOST_TEST(s.size() == 2u);
  BOOST_TEST(s.find("a")->list.source == "llm_with_patterns");
  BOOST_TEST(s.find("a")->expires_ms == 300);
  // The stale place of the old "a" is skipped: "b" is now the oldest.
  s.put("c", make("u", 400));
  BOOST_TEST(s.find("b") == nullptr);
  BOOST_TEST(s.find("a") != nullptr);
  BOOST_TEST(s.find("c") != nullptr);
}

BOOST_AUTO_TEST_CASE(removed_entries_leave_room_without_evicting_others) {
  foresight::cache_entry_store s{2};
  s.put("a", make("alice", 100));
  s.put("b", make("bob", 200));
  BOOST_TEST(s.erase_user("alice") == 1u);
  s.put("c", make("bob", 300));
  BOOST_TEST(s.size() == 2u);
  BOOST_TEST(s.find("b") != nullptr);
  BOOST_TEST(s.find("c") != nullptr);
  BOOST_TEST(s.erase_user("bob") == 2u);
  BOOST_TEST(s.size() == 0u);
}

BOOST_AUTO_TEST_CASE(many_replacements_keep_the_bound_and_the_order) {
  foresight::cache_entry_store s{4};
  std::int64_t t = 0;
  for (int round = 0; round < 50; ++round)
    for (auto k : {"a", "b", "c", "d"})
      s.put(k, make("u", ++t));
  BOOST_TEST(s.size() == 4u);
  s.put("e", make("u", ++t)); // "a" was replaced longest ago
  BOOST_TEST(s.find("a") == nullptr);
  BOOST_TEST(s.find("b") != nullptr);
  BOOST_TEST(s.size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_bound_of_zero_holds_one) {
  foresight::cache_entry_store s{0};
  BOOST_TEST(s.max_entries() == 1u);
  s.put("a", make("u", 100));
  s.put("b", make("u", 200));
  BOOST_TEST(s.size() == 1u);
  BOOST_TEST(s.find("b") != nullptr);
}

BOOST_AUTO_TEST_CASE(entries_are_changed_in_place) {
  foresight::cache_entry_store s{2};
  s.put("a", make("u", 100));
  auto* e = s.find_live("a", 50);
  e->merged_for = 7;
  BOOST_TEST(s.find("a")->merged_for == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
