// The suggestion cache: shard actors, each owning the context hashes that map to it, under a
// supervisor that routes, restarts crashed shards (re-warming them from the table) and purges
// expired rows. A shard answers hits from memory, makes identical concurrent misses share one
// generation, generates on a miss (patterns, then the LLM gateway when one is configured), and
// writes entries, hit counts and impressions behind to `suggestion_cache` in batches.
#pragma once
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <memory>
#include <string>
#include <vector>

#include "actors/catalog_registry.hpp"
#include "actors/llm_gateway.hpp"
#include "actors/storage_pool.hpp"

namespace foresight {

/// A shard's write-behind timer (its own, every `flush_ms`).
using cache_flush_atom = caf::atom_constant<caf::atom("c_flush")>;

/// A cache shard's protocol: `suggest_atom` answers a job (a hit, a miss joining the same
/// generation, or a new one); `warm_atom` loads rows from the table; `invalidate_atom` and
/// `forget_atom` drop a user's entries (and pending writes); `drain_cache_atom` answers `true`
/// once the pending writes are stored; `fault_atom` throws (tests, --fault-injection).
using cache_shard_actor = caf::typed_actor<
  caf::replies_to<suggest_atom, suggestion_job>::with<suggestion_list>,
  caf::reacts_to<warm_atom, std::vector<cached_suggestions>>,
  caf::reacts_to<invalidate_atom, std::string>,
  caf::reacts_to<forget_atom, std::string>,
  caf::replies_to<drain_cache_atom>::with<bool>,
  caf::reacts_to<fault_atom>,
  caf::reacts_to<cache_flush_atom>>;

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
  storage_actor storage;  ///< reads: warm-up and learned patterns
  storage_actor writer;  ///< a storage worker of its own for the write-behind, so that batches
                       ///< never queue in front of the reads a miss waits for
  llm_gateway_actor llm;           ///< the LLM gateway
  catalog_registry_actor catalogs; ///< the catalog registry (a miss reads the catalog from it)
};

/// The shard owning a context hash (an MD5 hex digest), of `shards`.
std::size_t cache_shard_of(const std::string& context_hash, std::size_t shards);

/// The cache shards' handles by slot, so that a job can go straight to its shard without a hop
/// through the supervisor. The supervisor publishes a slot once its shard is warmed and clears
/// it while the shard is down; readers load the whole table at once (an atomic shared_ptr swap),
/// on any thread.
class cache_shard_table {
public:
  explicit cache_shard_table(std::size_t shards);
  /// The shard owning `context_hash`, or null while it (re)starts: then ask the supervisor, which
  /// answers `unavailable` or routes to the shard it has.
  cache_shard_actor shard_for(const std::string& context_hash) const;
  /// The supervisor's side: slot `i` is now `shard` (null: down).
  void publish(std::size_t i, cache_shard_actor shard);

private:
  std::shared_ptr<const std::vector<cache_shard_actor>> slots_;
};

/// The supervisor's protocol: `suggest_atom` goes to the job's shard (for a job whose shard is
/// not in the table: answered `unavailable` while it restarts); `invalidate_atom` and
/// `forget_atom` go to every shard; `stats_atom` answers the cache half of
/// `suggestion_service_stats`; `drain_cache_atom` answers `true` once every shard's pending
/// writes are stored (shutdown); `cache_purge_atom` is its purge timer; `fault_atom` fails the
/// first shard (tests).
using suggestion_cache_actor = caf::typed_actor<
  caf::replies_to<suggest_atom, suggestion_job>::with<suggestion_list>,
  caf::reacts_to<invalidate_atom, std::string>,
  caf::reacts_to<forget_atom, std::string>,
  caf::replies_to<stats_atom>::with<suggestion_service_stats>,
  caf::replies_to<drain_cache_atom>::with<bool>,
  caf::reacts_to<cache_purge_atom>,
  caf::reacts_to<fault_atom>>;

struct suggestion_cache_handles {
  suggestion_cache_actor supervisor;
  std::shared_ptr<const cache_shard_table> shards;
};

suggestion_cache_handles spawn_suggestion_cache(caf::actor_system& sys,
                                                const suggestion_cache_peers& peers,
                                                const suggestion_cache_settings& settings);

} // namespace foresight
