// Tests for awaiting_by_number: numbers in arrival order, outcomes in any order and at most once,
// and memory that shrinks as the oldest entries are taken.
#include "core/awaiting_by_number.hpp"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(awaiting_by_number_suite)

BOOST_AUTO_TEST_CASE(numbers_follow_arrival_and_each_entry_is_handed_out_once) {
  awaiting_by_number<std::string> w;
  BOOST_TEST(w.add("a") == 0u);
  BOOST_TEST(w.add("b") == 1u);
  BOOST_TEST(w.add("c") == 2u);
  BOOST_TEST(*w.take(1) == "b");
  BOOST_TEST(!w.take(1)); // a second outcome for the same row finds it answered
  BOOST_TEST(!w.take(7)); // never given
  BOOST_TEST(*w.take(0) == "a");
  BOOST_TEST(*w.take(2) == "c");
  BOOST_TEST(!w.take(0));
}

BOOST_AUTO_TEST_CASE(the_oldest_waiting_number_moves_past_every_hole) {
  awaiting_by_number<int> w;
  for (int i = 0; i < 5; ++i)
    w.add(i);
  w.take(1);
  w.take(2);
  BOOST_TEST(w.oldest() == 0u); // 0 still waits
  w.take(0);
  BOOST_TEST(w.oldest() == 3u); // 1 and 2 were answered before 0
  w.take(3);
  w.take(4);
  BOOST_TEST(w.oldest() == 5u);
  BOOST_TEST(w.add(9) == 5u); // numbering goes on after everything was taken
}

BOOST_AUTO_TEST_CASE(entries_that_only_move_are_kept) {
  awaiting_by_number<std::unique_ptr<int>> w;
  auto n = w.add(std::make_unique<int>(4));
  auto got = w.take(n);
  BOOST_TEST(**got == 4);
}

BOOST_AUTO_TEST_SUITE_END()
