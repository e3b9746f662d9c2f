// Pattern learners: shards that each own a set of pattern targets (a user, a role, or global),
// keep those patterns in memory, apply every committed activity exactly once, and flush absolute
// values with a watermark. A supervisor routes activities to shards and restarts a crashed shard,
// which reloads its state and replays the activities after its watermark.
#pragma once
#include <caf/fwd.hpp>

namespace foresight {

struct learner_settings {
  int flush_interval_ms = 200;
  int rebuild_days = 90;        ///< nightly rebuild window
  int rebuild_at_minute = -1;   ///< minute of the UTC day for the nightly rebuild; -1: off
};

/// Spawns the supervisor and its shards. Messages: `(learn_atom, learn_batch)` from the activity
/// writer, `(catalog_atom, connection_catalog)` when a catalog changes, and
/// `(rebuild_atom, days)`, answered with `true` once the shards start replaying.
caf::actor spawn_pattern_learners(caf::actor_system& sys, caf::actor storage,
                                  const learner_settings& settings);

} // namespace foresight
