// Where a user's session lives: the seam between the front end and the sessions. A request for a
// user goes straight to the registry shard that owns the user, as `(for_user_atom, user_id,
// op...)`, and the user's session answers the requester directly, so no single mailbox sits on
// every request's way. A single node hashes users over its N local shards; in a cluster, a user
// belongs to the live member that rendezvous hashing picks, and to one of that node's shards.
#pragma once
#include <caf/actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/fwd.hpp>
#include <memory>
#include <string>
#include <vector>

#include "actors/session_actor.hpp"

namespace foresight {

class cluster_view_cell;

class session_placement {
public:
  virtual ~session_placement() = default;

  /// The registry shard owning `user_id`'s session (perhaps on another node); the same for as
  /// long as the placement (in a cluster: the live set) stands, so what one sender sends a user
  /// arrives in order.
  virtual session_registry_actor owner(const std::string& user_id) const = 0;

  struct placed {
    session_registry_actor shard;
    std::string node; ///< the node owning the user; empty for a single node
  };
  /// owner() and the owner's node, from one reading of the live set.
  virtual placed place(const std::string& user_id) const = 0;

  /// This process's registry shards.
  virtual const std::vector<session_registry_actor>& local_shards() const = 0;

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

/// The same local shards, and users placed over the live members of `cluster` by rendezvous
/// hashing (core/rendezvous); a user of another node goes to that node's shard for it.
std::unique_ptr<session_placement>
make_cluster_session_placement(caf::actor_system& sys, const session_peers& peers,
                               const session_settings& defaults, std::size_t shards,
                               std::shared_ptr<cluster_view_cell> cluster);

} // namespace foresight
