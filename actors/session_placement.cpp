// The local session placement: a fixed set of registry shards, a user hashed to one.
#include "actors/session_placement.hpp"

#include <vector>

#include "actors/messages.hpp"
#include "actors/session_registry.hpp"
#include "core/shard_hash.hpp"

namespace foresight {

namespace {

class local_session_placement final : public session_placement {
public:
  local_session_placement(caf::actor_system& sys, const session_peers& peers,
                          const session_settings& defaults, std::size_t shards) {
    for (std::size_t i = 0; i < std::max<std::size_t>(shards, 1); ++i)
      shards_.push_back(spawn_session_registry(sys, peers, defaults));
  }

  const caf::actor& owner(const std::string& user_id) const override {
    return shards_[shard_of_key(user_id, shards_.size())];
  }

  void forget(const std::string& user_id) override {
    caf::anon_send(owner(user_id), forget_atom::value, user_id);
  }

  void stop(caf::exit_reason reason) override {
    for (auto& s : shards_)
      caf::anon_send_exit(s, reason);
  }

private:
  std::vector<caf::actor> shards_;
};

} // namespace

std::unique_ptr<session_placement> make_local_session_placement(caf::actor_system& sys,
                                                                const session_peers& peers,
                                                                const session_settings& defaults,
                                                                std::size_t shards) {
  return std::make_unique<local_session_placement>(sys, peers, defaults, shards);
}

} // namespace foresight
