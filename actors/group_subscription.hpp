// Group membership for typed actors, which CAF 0.17 gives no join(): the actor subscribes, and
// unsubscribes when it terminates, as an event_based_actor's join() does. A typed actor that
// joins lists the group's messages in its interface.
#pragma once
#include <caf/actor_cast.hpp>
#include <caf/group.hpp>
#include <caf/local_actor.hpp>

namespace foresight {

inline void join_group(caf::local_actor* self, const caf::group& g) {
  if (g.subscribe(caf::actor_cast<caf::strong_actor_ptr>(self)))
    self->attach_functor([g, who = self->ctrl()] { g.unsubscribe(who); });
}

/// Leaves before the actor terminates (unsubscribing twice is harmless).
inline void leave_group(caf::local_actor* self, const caf::group& g) {
  g.unsubscribe(self->ctrl());
}

} // namespace foresight
