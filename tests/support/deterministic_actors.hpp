// An actor system on CAF's testing scheduler for deterministic actor tests: nothing runs until
// the test calls sched.run() (or advances the clock), and `self` receives replies.
#pragma once
#include <caf/all.hpp>

#include "actors/messages.hpp"

namespace foresight {

struct deterministic_actors {
  static caf::actor_system_config& prep(caf::actor_system_config& c) {
    register_message_types(c);
    c.set("scheduler.policy", caf::atom("testing"));
    c.set("logger.inline-output", true);
    c.set("logger.console", caf::atom("none"));
    return c;
  }
  caf::actor_system_config cfg;
  caf::actor_system sys{prep(cfg)};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched =
    dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
};

} // namespace foresight
