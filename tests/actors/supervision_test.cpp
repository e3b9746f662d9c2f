// The supervision helper with real actors: a failed child is restarted in its slot, after its
// back-off, until the policy's limit, which stops the supervisor; a shutdown is never restarted.
#include "actors/supervision.hpp"

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <chrono>
#include <thread>

using namespace foresight;
using namespace std::chrono_literals;

namespace {

using die_atom = caf::atom_constant<caf::atom("die")>;
using quit_atom = caf::atom_constant<caf::atom("quitnorm")>;
using suspend_atom = caf::atom_constant<caf::atom("suspend")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using count_atom = caf::atom_constant<caf::atom("count")>;

caf::behavior test_child(caf::event_based_actor* self) {
  return {
    [=](die_atom) { self->quit(caf::make_error(caf::sec::runtime_error)); },
    [=](quit_atom) { self->quit(); },
  };
}

caf::behavior test_supervisor(caf::event_based_actor* self, restart_policy policy,
                              std::shared_ptr<std::atomic<int>> starts) {
  auto slots = std::make_shared<supervised_slots>(self, "test child", policy, 2,
                                                  [=](std::size_t) {
                                                    ++*starts;
                                                    return self->spawn(test_child);
                                                  });
  slots->start_all();
  supervise(self, {slots});
  return {
    [=](die_atom a) {
      if (auto& c = (*slots)[0])
        self->send(c, a);
    },
    [=](quit_atom a) {
      if (auto& c = (*slots)[0])
        self->send(c, a);
    },
    [=](suspend_atom) { slots->suspend(); },
    [=](resume_atom) { slots->resume(); },
    [=](count_atom) {
      return static_cast<int>(std::count_if(slots->children().begin(), slots->children().end(),
                                            [](const caf::actor& c) { return c != nullptr; }));
    },
  };
}

template <class F>
bool eventually(F f) {
  for (int i = 0; i < 300; ++i) {
    if (f())
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

struct sup_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<std::atomic<int>> starts = std::make_shared<std::atomic<int>>(0);
  sup_fixture() {
    cfg.set("scheduler.max-threads", 2);
    cfg.set("logger.console", caf::atom("none"));
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(supervision, sup_fixture)

BOOST_AUTO_TEST_CASE(a_failed_child_is_restarted_in_its_slot_and_a_normal_end_follows_the_policy) {
  auto sup = sys->spawn(test_supervisor, restart_policy::on_failure(), starts);
  BOOST_TEST(eventually([&] { return *starts == 2; }));
  for (int k = 1; k <= 3; ++k) {
    caf::anon_send(sup, die_atom::value);
    BOOST_TEST(eventually([&] { return *starts == 2 + k; }));
  }
  // on_failure: a child that ends normally stays gone.
  caf::anon_send(sup, quit_atom::value);
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(*starts == 5);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(suspended_slots_stay_empty_until_resumed_even_when_resumed_at_once) {
  auto sup = sys->spawn(test_supervisor, restart_policy::always(), starts);
  caf::scoped_actor self{*sys};
  auto running = [&] {
    int n = -1;
    self->request(sup, 1s, count_atom::value).receive([&](int x) { n = x; }, [](caf::error&) {});
    return n;
  };
  BOOST_TEST(eventually([&] { return running() == 2; }));
  caf::anon_send(sup, suspend_atom::value);
  BOOST_TEST(eventually([&] { return running() == 0; }));
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(*starts == 2, "a role handed away is not restarted");
  caf::anon_send(sup, resume_atom::value);
  BOOST_TEST(eventually([&] { return running() == 2 && *starts == 4; }));
  // Suspended and resumed before the children are down: they come back all the same.
  caf::anon_send(sup, suspend_atom::value);
  caf::anon_send(sup, resume_atom::value);
  BOOST_TEST(eventually([&] { return *starts == 6; }));
  BOOST_TEST(eventually([&] { return running() == 2; }));
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(too_many_failures_escalate_and_the_supervisor_stops_with_its_children) {
  auto policy = restart_policy::always();
  policy.at_most(2, 60s, when_exceeded::escalate).backing_off(50ms, 50ms);
  auto sup = sys->spawn(test_supervisor, policy, starts);
  caf::scoped_actor watcher{*sys};
  watcher->monitor(sup);
  BOOST_TEST(eventually([&] { return *starts == 2; }));
  auto before = std::chrono::steady_clock::now();
  caf::anon_send(sup, die_atom::value);
  BOOST_TEST(eventually([&] { return *starts == 3; }));
  BOOST_TEST((std::chrono::steady_clock::now() - before >= 50ms)); // the back-off
  caf::anon_send(sup, die_atom::value);
  BOOST_TEST(eventually([&] { return *starts == 4; }));
  caf::anon_send(sup, die_atom::value); // the third in the window: escalate
  bool down = false;
  watcher->receive([&](caf::down_msg& dm) { down = dm.source == sup.address(); },
                   caf::after(5s) >> [] {});
  BOOST_TEST(down);
  BOOST_TEST(*starts == 4);
}

BOOST_AUTO_TEST_SUITE_END()
