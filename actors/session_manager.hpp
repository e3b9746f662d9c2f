// The session manager: finds each user's session actor by user id, spawning it on the user's first
// request, and retires it when it reports itself idle.
#pragma once
#include <caf/fwd.hpp>

namespace foresight {

/// Spawns the manager. Send it `(for_user_atom, user_id, <operation>...)`; the user's session
/// answers the requester directly. Sessions work with the storage pool and the activity writer.
caf::actor spawn_session_manager(caf::actor_system& sys, caf::actor storage, caf::actor writer,
                                 int session_idle_timeout_ms);

} // namespace foresight
