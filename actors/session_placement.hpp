// Where a user's session lives: the seam between the front end and the sessions. A request for a
// user goes straight to the registry shard that owns the user, as `(for_user_atom, user_id,
// op...)`, and the user's session answers the requester directly, so no single mailbox sits on
// every request's way. This process's implementation hashes users over N local shards; a cluster
// would implement the same interface with the shards of the node a user is placed on.
#pragma once
#include <caf/actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/fwd.hpp>
#include <memory>
#include <string>

#include "actors/session_actor.hpp"

namespace foresight {

class session_placement {
public:
  virtual ~session_placement() = default;

  /// The registry shard owning `user_id`'s session; the same for as long as the placement
  /// stands, so what one sender sends a user arrives in order.
  virtual const caf::actor& owner(const std::string& user_id) const = 0;

  /// An erased user: the owner retires the user's session after what was sent to it before.
  virtual void forget(const std::string& user_id) = 0;

  /// Stops this process's shards (and their sessions) with `reason`.
  virtual void stop(caf::exit_reason reason) = 0;
};

/// `shards` (at least 1) registry shards in this process; a user's shard is
/// `shard_of_key(user_id, shards)` (core/shard_hash), the same in every process.
std::unique_ptr<session_placement> make_local_session_placement(caf::actor_system& sys,
                                                                const session_peers& peers,
                                                                const session_settings& defaults,
                                                                std::size_t shards);

} // namespace foresight
