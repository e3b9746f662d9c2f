// The session placements: a fixed set of local registry shards, a user hashed to one; in a
// cluster, first the node by rendezvous over the live members, then its shard.
#include "actors/session_placement.hpp"

#include <vector>

#include "actors/cluster_node.hpp"
#include "actors/messages.hpp"
#include "actors/session_registry.hpp"
#include "core/rendezvous.hpp"
#include "core/shard_hash.hpp"

namespace foresight {

namespace {

class local_session_placement : public session_placement {
public:
  local_session_placement(caf::actor_system& sys, const session_peers& peers,
                          const session_settings& defaults, std::size_t shards) {
    for (std::size_t i = 0; i < std::max<std::size_t>(shards, 1); ++i)
      shards_.push_back(spawn_session_registry(sys, peers, defaults));
  }

  session_registry_actor owner(const std::string& user_id) const override {
    return shards_[shard_of_key(user_id, shards_.size())];
  }

  placed place(const std::string& user_id) const override { return {owner(user_id), {}}; }

  const std::vector<session_registry_actor>& local_shards() const override { return shards_; }

  void forget(const std::string& user_id) override {
    caf::anon_send(owner(user_id), forget_atom::value, user_id);
  }

  void stop(caf::exit_reason reason) override {
    for (auto& s : shards_)
      caf::anon_send_exit(s, reason);
  }

protected:
  std::vector<session_registry_actor> shards_;
};

class cluster_session_placement final : public local_session_placement {
public:
  cluster_session_placement(caf::actor_system& sys, const session_peers& peers,
                            const session_settings& defaults, std::size_t shards,
                            std::shared_ptr<cluster_view_cell> cluster)
    : local_session_placement(sys, peers, defaults, shards), cluster_(std::move(cluster)) {}

  session_registry_actor owner(const std::string& user_id) const override { return place(user_id).shard; }

  placed place(const std::string& user_id) const override {
    auto v = cluster_->get();
    auto node = rendezvous_owner(user_id, v->live);
    if (node != v->self)
      if (auto s = v->services.find(node);
          s != v->services.end() && !s->second.registry_shards.empty()) {
        auto& theirs = s->second.registry_shards;
        return {theirs[shard_of_key(user_id, theirs.size())], node};
      }
    return {local_session_placement::owner(user_id), v->self};
  }

  void forget(const std::string& user_id) override {
    // Every node: a node that owned the user before may still hold a session of theirs.
    auto v = cluster_->get();
    for (auto& [id, s] : v->services)
      if (!s.registry_shards.empty())
        caf::anon_send(s.registry_shards[shard_of_key(user_id, s.registry_shards.size())],
                       forget_atom::value, user_id);
  }

private:
  std::shared_ptr<cluster_view_cell> cluster_;
};

} // namespace

std::unique_ptr<session_placement> make_local_session_placement(caf::actor_system& sys,
                                                                const session_peers& peers,
                                                                const session_settings& defaults,
                                                                std::size_t shards) {
  return std::make_unique<local_session_placement>(sys, peers, defaults, shards);
}

std::unique_ptr<session_placement>
make_cluster_session_placement(caf::actor_system& sys, const session_peers& peers,
                               const session_settings& defaults, std::size_t shards,
                               std::shared_ptr<cluster_view_cell> cluster) {
  return std::make_unique<cluster_session_placement>(sys, peers, defaults, shards,
                                                     std::move(cluster));
}

} // namespace foresight
