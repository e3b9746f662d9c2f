// cluster_membership: which configured nodes are alive, as a state machine. A peer is alive from
// the first sign of life (a heartbeat, any message) until it is lost (a down message, a failed
// connection) or silent for longer than `dead_after_ms`; the local node is always alive. Every
// change of the live set raises `epoch`, so placement computed from an older set can be told
// apart. Pure: time is the caller's `now` (ms); the caller sends heartbeats and reconnects.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace foresight {

enum class member_state { unknown, alive, dead };

/// The state's name as shown in GET /api/v1/cluster and /metrics.
const char* to_string(member_state s);

struct cluster_member {
  std::string id;
  std::string address;             ///< host:port of its cluster port (empty for the local node)
  member_state state = member_state::unknown;
  std::int64_t last_heard_ms = -1; ///< when it was last heard from; -1: never
  bool local = false;
};

class cluster_membership {
public:
  /// `self` is the local node; `peers` the configured others (id, address).
  cluster_membership(std::string self, std::vector<cluster_member> peers,
                     std::int64_t dead_after_ms);

  /// A peer was heard from at `now`. True when that made it alive (the live set changed).
  bool heard_from(const std::string& id, std::int64_t now);

  /// A peer is known to be gone (down message, refused connection). True when it was alive.
  bool lost(const std::string& id);

  /// Peers silent for longer than `dead_after_ms` at `now` become dead; their ids are returned.
  std::vector<std::string> expire(std::int64_t now);

  /// The ids of the live members, the local node included, sorted.
  std::vector<std::string> live() const;

  bool is_live(const std::string& id) const;

  /// Whether the live members may decide for the cluster (host the writer and learners): more
  /// than half of the configured members, or exactly half with the smallest configured id among
  /// them, so that two sides of a partition (or a node that cannot reach the others) never both
  /// decide.
  bool has_quorum() const;
  bool is_member(const std::string& id) const;
  const std::vector<cluster_member>& members() const { return members_; }
  const std::string& self() const { return self_; }
  /// Raised by every change of the live set.
  std::uint64_t epoch() const { return epoch_; }

private:
  cluster_member* find(const std::string& id);
  const cluster_member* find(const std::string& id) const;

  std::string self_;
  std::vector<cluster_member> members_; ///< sorted by id, the local node among them
  std::int64_t dead_after_ms_;
  std::uint64_t epoch_ = 0;
};

} // namespace foresight
