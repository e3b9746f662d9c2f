// The activity writer: group commit for POST /api/v1/activity/log. Rows arriving from many
// sessions while a commit is under way wait together and go to PostgreSQL in the next
// transaction; each request is answered only after the transaction holding its row committed.
#pragma once
#include <caf/fwd.hpp>
#include <string>

namespace foresight {

struct writer_settings {
  std::string conninfo;
  int batch_max = 512;     ///< most rows per transaction
  int batch_wait_ms = 0;   ///< how long a free committer waits for a batch to fill
  int queue_max = 20000;   ///< rows waiting or committing; beyond it requests get 503
  int commit_timeout_ms = 30000;
};

/// Spawns the writer and its committer. Send `(write_atom, activity_row)`; the reply is a
/// `logged_activity` with the committed id, or `unavailable` (503 + Retry-After). Every committed
/// learnable activity is published to `learners` as `(learn_atom, learn_batch)`, in id order.
/// Imports: `(write_atom, activity_batch)` queues a chunk and answers one `batch_receipt` once
/// all its rows committed; `(import_atom, ...)` goes to the writer's importer child
/// (actors/activity_importer.hpp), which is published for the HTTP side before this returns.
caf::actor spawn_activity_writer(caf::actor_system& sys, const writer_settings& settings,
                                 caf::actor learners);

} // namespace foresight
