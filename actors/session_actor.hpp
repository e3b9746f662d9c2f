// One actor per user session: holds the user's profile (and, later, preferences and recent
// activity) and does the user's work, asking the storage pool for what it cannot answer itself.
#pragma once
#include <caf/fwd.hpp>
#include <string>

namespace foresight {

/// What a session needs at birth.
struct session_settings {
  std::string user_id;
  int idle_timeout_ms = 300000;
};

/// The behavior of a session actor; `manager` is told when the session has been idle too long.
caf::behavior session_actor(caf::event_based_actor* self, session_settings settings,
                            caf::actor storage, caf::actor manager);

} // namespace foresight
