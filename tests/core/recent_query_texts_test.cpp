// Tests for recent_query_texts: a remembered query is found for its own user only, and the
// oldest are forgotten beyond the capacity.
#include "core/recent_query_texts.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(recent_query_texts_suite)

BOOST_AUTO_TEST_CASE(a_query_is_found_for_its_own_user_only) {
  recent_query_texts recent{8};
  recent.remember(41, "alice", "revenue by region");
  BOOST_TEST(recent.find(41, "alice").value() == "revenue by region");
  BOOST_TEST(!recent.find(41, "bob").has_value());
  BOOST_TEST(!recent.find(42, "alice").has_value());
}

BOOST_AUTO_TEST_CASE(the_oldest_are_forgotten_beyond_the_capacity) {
  recent_query_texts recent{3};
  for (std::int64_t id = 1; id <= 5; ++id)
    recent.remember(id, "alice", "q" + std::to_string(id));
  BOOST_TEST(recent.size() == 3u);
  BOOST_TEST(!recent.find(2, "alice").has_value());
  BOOST_TEST(recent.find(3, "alice").value() == "q3");
  BOOST_TEST(recent.find(5, "alice").value() == "q5");
  recent.remember(5, "alice", "again"); // an id is remembered once
  BOOST_TEST(recent.find(5, "alice").value() == "q5");
}

BOOST_AUTO_TEST_CASE(an_erased_user_s_queries_are_forgotten_and_the_others_kept) {
  recent_query_texts recent{3};
  recent.remember(1, "alice", "a1");
  recent.remember(2, "bob", "b2");
  recent.remember(3, "alice", "a3");
  recent.forget_user("alice");
  BOOST_TEST(!recent.find(1, "alice").has_value());
  BOOST_TEST(!recent.find(3, "alice").has_value());
  BOOST_TEST(recent.find(2, "bob").value() == "b2");
  // The room they took is free again: three more fit before bob's is forgotten.
  recent.remember(4, "carol", "c4");
  recent.remember(5, "carol", "c5");
  BOOST_TEST(recent.find(2, "bob").value() == "b2");
  recent.remember(6, "carol", "c6");
  BOOST_TEST(!recent.find(2, "bob").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
