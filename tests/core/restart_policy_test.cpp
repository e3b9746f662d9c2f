// Tests for restart_policy: which endings restart, the window's limit, the back-off.
#include "core/restart_policy.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(restart_policies)

BOOST_AUTO_TEST_CASE(each_rule_restarts_the_endings_it_names_and_never_a_shutdown) {
  std::vector<restart_clock::time_point> recent;
  auto now = restart_clock::now();
  auto act = [&](const restart_policy& p, child_exit how) {
    return decide_restart(p, how, recent, now).action;
  };
  BOOST_TEST((act(restart_policy::always(), child_exit::failure) == restart_action::restart));
  BOOST_TEST((act(restart_policy::always(), child_exit::normal) == restart_action::restart));
  BOOST_TEST((act(restart_policy::always(), child_exit::shutdown) == restart_action::none));
  BOOST_TEST((act(restart_policy::on_failure(), child_exit::failure) == restart_action::restart));
  BOOST_TEST((act(restart_policy::on_failure(), child_exit::normal) == restart_action::none));
  BOOST_TEST((act(restart_policy::on_failure(), child_exit::shutdown) == restart_action::none));
  BOOST_TEST((act(restart_policy::never(), child_exit::failure) == restart_action::none));
  BOOST_TEST((act(restart_policy::never(), child_exit::normal) == restart_action::none));
}

BOOST_AUTO_TEST_CASE(without_a_limit_restarts_never_stop_and_come_at_once) {
  std::vector<restart_clock::time_point> recent;
  auto now = restart_clock::now();
  for (int k = 0; k < 1000; ++k) {
    auto d = decide_restart(restart_policy::on_failure(), child_exit::failure, recent, now);
    BOOST_TEST((d.action == restart_action::restart));
    BOOST_TEST(d.delay.count() == 0);
  }
}

BOOST_AUTO_TEST_CASE(too_many_restarts_in_the_window_escalate_or_stop_the_slot) {
  auto p = restart_policy::on_failure();
  p.at_most(3, 60s, when_exceeded::escalate);
  std::vector<restart_clock::time_point> recent;
  auto t0 = restart_clock::now();
  for (int k = 0; k < 3; ++k)
    BOOST_TEST((decide_restart(p, child_exit::failure, recent, t0 + k * 1s).action ==
                restart_action::restart));
  BOOST_TEST((decide_restart(p, child_exit::failure, recent, t0 + 10s).action ==
              restart_action::escalate));
  // Once the first restart has left the window, one more is allowed.
  BOOST_TEST((decide_restart(p, child_exit::failure, recent, t0 + 60500ms).action ==
              restart_action::restart));
  BOOST_TEST((decide_restart(p, child_exit::failure, recent, t0 + 60500ms).action ==
              restart_action::escalate));
  p.exceeded = when_exceeded::stop_slot;
  BOOST_TEST((decide_restart(p, child_exit::failure, recent, t0 + 60500ms).action ==
              restart_action::stop_slot));
  // A shutdown is no restart, and counts for nothing.
  auto before = recent.size();
  BOOST_TEST((decide_restart(p, child_exit::shutdown, recent, t0 + 60600ms).action ==
              restart_action::none));
  BOOST_TEST(recent.size() == before);
}

BOOST_AUTO_TEST_CASE(the_back_off_doubles_within_the_window_up_to_its_cap) {
  auto p = restart_policy::always();
  p.backing_off(100ms, 350ms).at_most(0, 10s, when_exceeded::escalate);
  std::vector<restart_clock::time_point> recent;
  auto t0 = restart_clock::now();
  std::vector<long long> delays;
  for (int k = 0; k < 4; ++k)
    delays.push_back(decide_restart(p, child_exit::failure, recent, t0 + k * 1ms).delay.count());
  BOOST_TEST((delays == std::vector<long long>{100, 200, 350, 350}));
  // After a quiet window the back-off starts over.
  BOOST_TEST(decide_restart(p, child_exit::failure, recent, t0 + 20s).delay.count() == 100);
}

BOOST_AUTO_TEST_CASE(a_policy_describes_itself) {
  BOOST_TEST(describe(restart_policy::never()) == "never restart");
  BOOST_TEST(describe(restart_policy::on_failure()) == "restart on failure");
  auto p = restart_policy::always();
  p.at_most(5, 60s, when_exceeded::stop_slot);
  BOOST_TEST(describe(p) == "restart on any end but shutdown, at most 5 in 60000ms then stop the slot");
}

BOOST_AUTO_TEST_SUITE_END()
