// The session manager: finds each user's session actor by user id, spawning it on the user's first
// request, and retires it when no request has reached it for the idle timeout.
#pragma once
#include <caf/fwd.hpp>

#include "actors/session_actor.hpp"

namespace foresight {

/// Spawns the manager. Send it `(for_user_atom, user_id, <operation>...)`; the user's session
/// answers the requester directly. Every session gets `peers` (with the manager filled in) and
/// `defaults` (with its user id filled in).
caf::actor spawn_session_manager(caf::actor_system& sys, const session_peers& peers,
                                 const session_settings& defaults);

} // namespace foresight
