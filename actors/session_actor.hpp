// One actor per user session: holds the user's profile, suggestion preferences and recent
// activity, and does the user's work, asking the storage pool for what it cannot answer itself.
#pragma once
#include <caf/fwd.hpp>
#include <memory>
#include <string>
#include <vector>

#include "actors/activity_writer.hpp"
#include "actors/catalog_registry.hpp"
#include "actors/crowd.hpp"
#include "actors/llm_gateway.hpp"
#include "actors/session_protocol.hpp"
#include "actors/storage_pool.hpp"
#include "actors/suggestion_cache.hpp"
#include "core/experiment.hpp"

namespace foresight {

/// What a session needs at birth.
struct session_settings {
  std::string user_id;
  int idle_timeout_ms = 300000; ///< the registry retires a session this long after its last request
  int min_users = 2; ///< k of the pattern privacy rule (suggestions and stats use it)
  std::string strategy = "history"; ///< the ranking strategy (core/question_ranker)
  std::vector<experiment_arm> experiment; ///< A/B arms by user; empty: everyone gets `strategy`
  int question_history = 1500; ///< the user's latest activities the ranker learns from
  /// Stamped on the rows this session instance logs: the registry does not pass them back.
  std::uint64_t serial = 0;
};

/// The actors a session works with.
struct session_peers {
  storage_actor storage; ///< the storage pool
  activity_writer_actor writer;
  session_registry_actor registry; ///< the session's registry shard: asked to retire the
                                   ///< session when its user cannot be loaded
  catalog_registry_actor catalogs;
  suggestion_cache_actor cache; ///< the cache's supervisor (broadcasts, stats)
  /// The cache shards by slot: a suggestion job goes straight to its shard (the supervisor
  /// only while that shard restarts).
  std::shared_ptr<const cache_shard_table> cache_shards;
  llm_gateway_actor llm; ///< for stats
  crowd_actor crowd;   ///< what other users ask
};

/// How many of the user's latest activities a session keeps in memory.
constexpr std::size_t session_recent_activities = 50;

/// The behavior of a session actor.
session_actor::behavior_type user_session(session_actor::pointer self, session_settings settings,
                                          session_peers peers);

} // namespace foresight
