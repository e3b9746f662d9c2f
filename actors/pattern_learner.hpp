// Pattern learners: shards that each own a set of pattern targets (a user, a role, or global),
// keep those patterns in memory, apply every committed activity exactly once, and flush absolute
// values with a watermark. A supervisor routes activities to shards and restarts a crashed shard,
// which reloads its state and replays the activities after its watermark.
#pragma once
#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>
#include <memory>

#include "actors/messages.hpp"
#include "actors/storage_pool.hpp"

namespace foresight {

/// A learner shard's protocol: `learned_atom` applies committed activities with a target of its
/// own (skipping ids at or below its watermark), `catalog_atom` generalises with a changed
/// catalog from now on, `flush_patterns_atom` is its save timer, `fault_atom` throws (tests,
/// --fault-injection).
using pattern_shard_actor = caf::typed_actor<
  caf::reacts_to<learned_atom, learn_batch>,
  caf::reacts_to<catalog_atom, connection_catalog>,
  caf::reacts_to<flush_patterns_atom>,
  caf::reacts_to<fault_atom>>;

using learner_host_atom = caf::atom_constant<caf::atom("lrn_host")>;   ///< this node hosts them, or not
using learner_start_atom = caf::atom_constant<caf::atom("lrn_start")>; ///< the router's grace timer
using learn_publish_atom = caf::atom_constant<caf::atom("lrn_pub")>;   ///< the router's fan-out timer

/// The learners' supervisor (the pattern router): `learn_atom` from the committer goes on as
/// `learned_atom`, one shared message, to every shard and to `foresight.learned`, gathered over
/// at most `learn_publish_every` (`learn_publish_atom` is that timer);
/// `catalog_atom` goes to every shard; `forget_atom` (after an erase) restarts the shards, which
/// replay the reset tables; `rebuild_atom` is its nightly timer (--patterns-rebuild-at): the
/// tables are reset to the window and the shards restart; `fault_atom` fails the first shard
/// (tests). In a cluster only the learner host's shards run: `(learner_host_atom, true, epoch)`
/// starts them after a grace period (the previous host's writer stops committing meanwhile, and
/// what it committed is replayed), unless a later message of the same kind said otherwise;
/// `false` stops them at once (their saves are fenced anyway: a starting shard claims its row).
/// The host passes every applied batch on to the other nodes' routers as `learned_atom`, which
/// publish it to their own `foresight.learned` (their sessions and crowd).
using pattern_learners_actor = caf::typed_actor<
  caf::reacts_to<learn_atom, learn_batch>,
  caf::reacts_to<learned_atom, learn_batch>,
  caf::reacts_to<learner_host_atom, bool, std::uint64_t>,
  caf::reacts_to<learner_start_atom, std::uint64_t>,
  caf::reacts_to<learn_publish_atom>,
  caf::reacts_to<catalog_atom, connection_catalog>,
  caf::reacts_to<forget_atom>,
  caf::reacts_to<fault_atom>,
  caf::reacts_to<rebuild_atom>>;

class cluster_view_cell;

struct learner_settings {
  int flush_interval_ms = 200;        ///< how often new patterns are saved
  int count_flush_interval_ms = 1000; ///< how often every change (counts too) is saved
  int rebuild_days = 90;        ///< nightly rebuild window
  int rebuild_at_minute = -1;   ///< minute of the UTC day for the nightly rebuild; -1: off
  bool start_active = true;     ///< false in a cluster: the shards wait for learner_host_atom
  /// From becoming the learner host to starting the shards: the old host stops taking rows at
  /// once (its writer answers the queued ones 503), so only its batch in flight, a few
  /// milliseconds unless its database is failing, must commit before the new shards replay.
  int host_grace_ms = 1000;
  /// Each shard runs on a thread of its own, this much nicer than the request path: learning
  /// can trail a burst of ingest by a few milliseconds, the requests in the burst cannot wait.
  int thread_nice = 10;
  std::shared_ptr<cluster_view_cell> cluster; ///< null: a single node
};

/// Spawns the supervisor and its shards.
pattern_learners_actor spawn_pattern_learners(caf::actor_system& sys, storage_actor storage,
                                              const learner_settings& settings);

} // namespace foresight
