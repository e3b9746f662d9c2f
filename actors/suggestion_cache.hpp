// The suggestion cache: shard actors, each owning the context hashes that map to it, under a
// supervisor that routes, restarts crashed shards (re-warming them from the table) and purges
// expired rows. A shard answers hits from memory, makes identical concurrent misses share one
// generation, generates on a miss (patterns, then the LLM gateway when one is configured), and
// writes entries, hit counts and impressions behind to `suggestion_cache` in batches.
#pragma once
#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace foresight {

struct suggestion_cache_settings {
  int shards = 4;
  int ttl_s = 3600;
  int max_entries = 100000;  ///< across all shards
  int flush_ms = 25;
  int deadline_ms = 4000;    ///< a miss's budget, LLM call included
  bool llm = false;          ///< an LLM is configured and switched on
  int hints_per_scope = 20;  ///< learned patterns read per scope on a miss
  int hints_ttl_ms = 2000;   ///< how long a miss reuses the patterns an earlier miss read
  int hints_max_stale_ms = 20000; ///< after that, how long they serve while being read again
};

/// The actors the cache works with.
struct suggestion_cache_peers {
  caf::actor storage;  ///< reads: warm-up and learned patterns
  caf::actor writer;   ///< a storage worker of its own for the write-behind, so that batches
                       ///< never queue in front of the reads a miss waits for
  caf::actor llm;      ///< the LLM gateway
  caf::actor catalogs; ///< the catalog registry (a miss reads the catalog from it)
};

/// Messages: `(suggest_atom, suggestion_job)` answered with a `suggestion_list`;
/// `(invalidate_atom, user_id)` drops a user's entries; `(stats_atom)` answers the cache half
/// of `suggestion_service_stats`; `(drain_cache_atom)` answers `true` once every shard's pending
/// writes are stored (shutdown).
caf::actor spawn_suggestion_cache(caf::actor_system& sys, const suggestion_cache_peers& peers,
                                  const suggestion_cache_settings& settings);

} // namespace foresight
