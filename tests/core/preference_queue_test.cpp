// Tests for preference_queue: one operation at a time in arrival order, the load before the
// first, and a failed load tried again by the next operation.
#include "core/preference_queue.hpp"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace foresight;
using queue = preference_queue<std::string, int>;

BOOST_AUTO_TEST_SUITE(preference_queue)

BOOST_AUTO_TEST_CASE(operations_run_one_at_a_time_in_arrival_order) {
  queue q;
  BOOST_TEST(!q.next().has_value(), "nothing waits");
  q.push(1);
  q.push(2);
  auto a = q.next();
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(a->op == 1);
  BOOST_TEST(q.running());
  q.push(3);
  BOOST_TEST(!q.next().has_value(), "the first is still running");
  q.done();
  BOOST_TEST(q.next()->op == 2);
  q.done();
  BOOST_TEST(q.next()->op == 3);
  q.done();
  BOOST_TEST(!q.next().has_value());
  BOOST_TEST(!q.running());
}

BOOST_AUTO_TEST_CASE(the_first_operation_loads_and_later_ones_use_what_is_held) {
  queue q;
  q.push(1);
  q.push(2);
  auto a = q.next();
  BOOST_TEST(a->load_first);
  q.set("loaded");
  q.done();
  auto b = q.next();
  BOOST_TEST(!b->load_first);
  q.set("written by 2");
  q.done();
  BOOST_TEST(q.prefs() == "written by 2");
}

BOOST_AUTO_TEST_CASE(a_failed_load_is_tried_again_by_the_next_operation) {
  queue q;
  q.push(1);
  q.push(2);
  BOOST_TEST(q.next()->load_first);
  q.done(); // the load failed: operation 1 answered its error
  BOOST_TEST(!q.loaded());
  BOOST_TEST(q.next()->load_first);
}

BOOST_AUTO_TEST_SUITE_END()
