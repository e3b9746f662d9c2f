// The cluster node: this process's member of a foresightd cluster. It publishes itself on the
// cluster port (TLS with the cluster's certificates, or loopback only), connects to every
// configured peer, says hello and sends heartbeats, and keeps the membership (core/
// cluster_membership) from hellos, heartbeats and down messages. What placement needs (the live
// members and their node actors, with the epoch) is published as an immutable snapshot that any
// thread may read without asking the actor.
#pragma once
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/node_services.hpp"
#include "core/cluster_membership.hpp"
#include "core/model.hpp"

namespace foresight {

using cluster_hello_atom = caf::atom_constant<caf::atom("cl_hello")>;   ///< a peer introduces itself
using cluster_beat_atom = caf::atom_constant<caf::atom("cl_beat")>;     ///< a peer's heartbeat
using cluster_status_atom = caf::atom_constant<caf::atom("cl_status")>; ///< asks for the members
using cluster_tick_atom = caf::atom_constant<caf::atom("cl_tick")>;     ///< the node's own timer
using cluster_revoke_atom = caf::atom_constant<caf::atom("cl_revoke")>; ///< a password changed

/// The protocol between nodes. `cluster_revoke_atom` tells of a password change made on the
/// sender. A hello carries the sender's services (its node id among them)
/// and is answered with the receiver's, or an error when the sender is not a configured peer. A
/// heartbeat names the sender, how many sessions it holds and its choice of learner host.
using cluster_node_actor = caf::typed_actor<
  caf::replies_to<cluster_hello_atom, node_services>::with<node_services>,
  caf::reacts_to<cluster_beat_atom, std::string, std::int64_t, std::string>,
  caf::replies_to<cluster_status_atom>::with<cluster_report>,
  caf::reacts_to<cluster_tick_atom>,
  caf::reacts_to<cluster_revoke_atom, std::string, std::int64_t>>;

struct cluster_view;

struct cluster_settings {
  std::string node_id;
  std::string bind = "127.0.0.1"; ///< without TLS the cluster port never leaves loopback
  std::uint16_t port = 0;         ///< 0: any free port (tests)
  std::vector<cluster_member> peers;
  bool tls = false; ///< the actor system loaded caf::openssl::manager with the cluster's files
  int heartbeat_ms = 250;
  int dead_after_ms = 1500; ///< a silent peer is dead after this (down messages come sooner)
  node_services services;   ///< this node's, sent in its hellos (node_id is set from node_id)
  /// Called on the node's thread with every new view (placement, learner host, in-flight
  /// requests to a lost node).
  std::function<void(std::shared_ptr<const cluster_view>)> on_view;
  /// Called on the node's thread at every heartbeat with the members' status (for /metrics).
  std::function<void(const cluster_report&)> on_status;
  /// This node's live sessions, sent in heartbeats.
  std::function<std::int64_t()> sessions;
  /// A peer reports a password change (user, Unix seconds): tokens issued before it must fail
  /// here too.
  std::function<void(const std::string&, std::int64_t)> on_password_changed;
};

/// The live members as placement sees them.
struct cluster_view {
  std::string self;
  std::uint64_t epoch = 0;
  std::vector<std::string> live; ///< sorted ids, the local node included
  std::unordered_map<std::string, cluster_node_actor> peers; ///< live peers' node actors
  std::unordered_map<std::string, node_services> services;  ///< of the live members, self's too
  /// Every configured peer has been heard from, or long enough has passed since the start that
  /// the silent ones count as dead: until then the learner host is not decided.
  bool settled = false;
  bool quorum = false; ///< cluster_membership::has_quorum: without it no node here hosts writes
  /// Rendezvous owner of learner_host_key over `live` once settled, with a quorum, and when every
  /// live peer's last heartbeat named the same (core/rendezvous agreed_owner); else empty (writes
  /// answer 503: no two nodes may commit and learn at once).
  std::string learner_host;
};

/// Where the node publishes its view; readable from any thread.
class cluster_view_cell {
public:
  std::shared_ptr<const cluster_view> get() const;
  void set(std::shared_ptr<const cluster_view> v);

private:
  std::shared_ptr<const cluster_view> view_ = std::make_shared<const cluster_view>();
};

/// Registers the cluster's message types (every node must, under the same names).
void register_cluster_message_types(caf::actor_system_config& cfg);

struct cluster_node {
  cluster_node_actor actor;
  std::uint16_t port = 0; ///< the port it listens on
  std::shared_ptr<cluster_view_cell> view;
};

/// Spawns the node and publishes it on the cluster port (blocking until bound). The view goes
/// to `view` when given (actors spawned before the node already hold it).
caf::expected<cluster_node> start_cluster_node(caf::actor_system& sys,
                                               const cluster_settings& settings,
                                               std::shared_ptr<cluster_view_cell> view = nullptr);

} // namespace foresight
