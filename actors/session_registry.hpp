// A session registry shard: owns the session actors of the users placed on it (see
// session_placement), spawning each on the user's first request and retiring it when no request
// has reached it for the idle timeout.
#pragma once
#include <caf/fwd.hpp>

#include "actors/session_actor.hpp"

namespace foresight {

/// Spawns one shard (its protocol: session_registry_actor, actors/session_protocol.hpp). Every
/// session gets `peers` (with this shard as its registry) and `defaults` (with its user id
/// filled in).
session_registry_actor spawn_session_registry(caf::actor_system& sys, const session_peers& peers,
                                              const session_settings& defaults);

} // namespace foresight
