// The suggestion cache: shard actors, each owning the context hashes that map to it, under a
// supervisor that routes, restarts crashed shards (re-warming them from the table) and purges
// expired rows. A shard answers hits from memory, makes identical concurrent misses share one
// generation, generates on a miss (patterns, then the LLM gateway when one is configured), and
// writes entries, hit counts and impressions behind to `suggestion_cache` in batches.
#pragma once
#include <caf/fwd.hpp>

namespace foresight {

struct suggestion_cache_settings {
  int shards = 4;
  int ttl_s = 3600;
  int max_entries = 100000;  ///< across all shards
  int flush_ms = 1000;
  int deadline_ms = 4000;    ///< a miss's budget, LLM call included
  bool llm = false;          ///< an LLM is configured and switched on
  int hints_per_scope = 20;  ///< learned patterns read per scope on a miss
};

/// `catalogs` is the catalog registry (a miss reads the catalog from it).
/// Messages: `(suggest_atom, suggestion_job)` answered with a `suggestion_list`;
/// `(invalidate_atom, user_id)` drops a user's entries; `(stats_atom)` answers the cache half
/// of `suggestion_service_stats`.
caf::actor spawn_suggestion_cache(caf::actor_system& sys, caf::actor storage, caf::actor llm,
                                  caf::actor catalogs, const suggestion_cache_settings& settings);

} // namespace foresight
