// A session registry shard: owns the session actors of the users placed on it (see
// session_placement), spawning each on the user's first request and retiring it when no request
// has reached it for the idle timeout.
#pragma once
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "actors/session_actor.hpp"

namespace foresight {

/// `(placement_changed_atom, live node ids, this node's id)`: the shard retires the sessions of
/// users that rendezvous hashing now places on another node.
using placement_changed_atom = caf::atom_constant<caf::atom("placed")>;

/// Spawns one shard. Send it `(for_user_atom, user_id, <operation>...)` for a user placed on it;
/// the user's session answers the requester directly. `(forget_atom, user_id)` retires a user's
/// session. Every session gets `peers` (with this shard as its registry) and `defaults` (with
/// its user id filled in).
caf::actor spawn_session_registry(caf::actor_system& sys, const session_peers& peers,
                                  const session_settings& defaults);

} // namespace foresight
