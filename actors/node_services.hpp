// What one node of a cluster offers the others: the actors a forwarded request or write goes to.
// Every node sends its own in its hello; the handles are stable for the node's lifetime (the
// learners switch on and off inside, the handle stays).
#pragma once
#include <caf/actor.hpp>
#include <string>
#include <vector>

#include "actors/activity_writer.hpp"
#include "actors/catalog_registry.hpp"
#include "actors/crowd.hpp"
#include "actors/pattern_learner.hpp"
#include "actors/session_protocol.hpp"
#include "actors/suggestion_cache.hpp"

namespace foresight {

struct node_services {
  std::string node_id;
  /// The node's session registry shards: a user's shard is shard_of_key(user, size()).
  std::vector<session_registry_actor> registry_shards;
  activity_writer_actor writer;     ///< commits on the learner host, forwards to it elsewhere
  pattern_learners_actor learners;  ///< active only on the learner host
  catalog_registry_actor catalogs;  ///< told of catalog changes made on other nodes
  suggestion_cache_actor cache;     ///< told of erased users
  crowd_actor crowd;                ///< told of erased users
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_services& x) {
  return f(x.node_id, x.registry_shards, x.writer, x.learners, x.catalogs, x.cache, x.crowd);
}

/// The key whose rendezvous owner is the learner host: the node whose writer commits every
/// activity and whose learners learn from them, so that learners see ids in commit order.
inline constexpr const char* learner_host_key = "foresight.learners";

} // namespace foresight
