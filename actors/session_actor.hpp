// One actor per user session: holds the user's profile (and, later, preferences and recent
// activity) and does the user's work, asking the storage pool for what it cannot answer itself.
#pragma once
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <string>

namespace foresight {

/// What a session needs at birth.
struct session_settings {
  std::string user_id;
  int idle_timeout_ms = 300000;
};

/// The actors a session works with.
struct session_peers {
  caf::actor storage; ///< the storage pool
  caf::actor writer;  ///< the activity writer
  caf::actor manager; ///< told when the session has been idle too long
};

/// How many of the user's latest activities a session keeps in memory.
constexpr std::size_t session_recent_activities = 50;

/// The behavior of a session actor.
caf::behavior session_actor(caf::event_based_actor* self, session_settings settings,
                            session_peers peers);

} // namespace foresight
