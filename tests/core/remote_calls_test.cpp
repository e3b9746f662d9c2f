// remote_calls: a call waiting on a node that leaves the live set fails at once; an answered
// call, or one waiting on a node still live, does not.
#include "core/remote_calls.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(remote_calls_suite)

BOOST_AUTO_TEST_CASE(only_calls_waiting_on_a_lost_node_fail_and_each_once) {
  remote_calls calls;
  int failed_b = 0, failed_c = 0, failed_answered = 0;
  calls.add("b", [&] { ++failed_b; });
  calls.add("b", [&] { ++failed_b; });
  calls.add("c", [&] { ++failed_c; });
  auto answered = calls.add("b", [&] { ++failed_answered; });
  calls.remove("b", answered);
  BOOST_TEST(calls.waiting() == 3u);
  calls.fail_all_but({"a", "c"});
  BOOST_TEST(failed_b == 2);
  BOOST_TEST(failed_c == 0);
  BOOST_TEST(failed_answered == 0);
  BOOST_TEST(calls.waiting() == 1u);
  calls.fail_all_but({"a", "c"}); // nothing left on b: nothing fails twice
  BOOST_TEST(failed_b == 2);
  calls.fail_all_but({"a"});
  BOOST_TEST(failed_c == 1);
  BOOST_TEST(calls.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(a_failure_may_add_a_call_without_deadlock) {
  remote_calls calls;
  int retried = 0;
  calls.add("b", [&] { calls.add("c", [&] { ++retried; }); });
  calls.fail_all_but({"a", "c"});
  BOOST_TEST(calls.waiting() == 1u);
  calls.fail_all_but({"a"});
  BOOST_TEST(retried == 1);
}

BOOST_AUTO_TEST_SUITE_END()
