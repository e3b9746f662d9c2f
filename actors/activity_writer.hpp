// The activity writer: group commit for POST /api/v1/activity/log. Rows arriving from many
// sessions while a commit is under way wait together and go to PostgreSQL in the next
// transaction; each request is answered only after the transaction holding its row committed.
#pragma once
#include <caf/fwd.hpp>
#include <memory>
#include <string>

#include "actors/activity_importer.hpp"
#include "actors/messages.hpp"
#include "actors/pattern_learner.hpp"
#include "core/activity_import.hpp"

namespace foresight {

class cluster_view_cell;

struct writer_settings {
  std::string conninfo;
  int batch_max = 512;     ///< most rows per transaction
  int batch_wait_ms = 0;   ///< how long the free committer waits for a batch to fill
  int queue_max = 20000;   ///< rows waiting or committing; beyond it requests get 503
  /// The committer's statement_timeout: a commit's outcome is known within it.
  int commit_timeout_ms = 3000;
  /// A row still queued this long after it arrived answers 503 unsent. With the commit timeout
  /// this stays under the HTTP request timeout, so no requester hears 504 for a row that
  /// commits later.
  int send_within_ms = 6000;
  /// In a cluster, the view: only the learner host's writer commits; the others pass each write
  /// on to it (null: a single node, which commits everything itself).
  std::shared_ptr<cluster_view_cell> cluster;
};

/// Settings whose timeouts fit inside `request_timeout_ms` (the HTTP answer's deadline).
writer_settings writer_settings_within(int request_timeout_ms);

/// The writer's protocol. `(write_atom, activity_row)` is answered with a `logged_activity`
/// carrying the committed id, or `unavailable` (503 + Retry-After). Imports:
/// `(write_atom, activity_batch)` queues a chunk and answers one `batch_receipt` once all its
/// rows committed; `(import_atom, caller, body, max_text_bytes)` goes to the writer's importer
/// child (actors/activity_importer.hpp). `(forget_atom, user_id)`: after an erase, the committer
/// forgets the user's recent queries. `(receipts_atom, commit_report)` comes from the writer's
/// committer; `commit_watch_atom` is its periodic check for a stuck committer.
using activity_writer_actor = caf::typed_actor<
  caf::replies_to<write_atom, activity_row>::with<logged_activity>,
  caf::replies_to<write_atom, activity_batch>::with<batch_receipt>,
  caf::replies_to<import_atom, std::string, std::string, std::uint64_t>::with<import_report>,
  caf::reacts_to<forget_atom, std::string>, caf::reacts_to<receipts_atom, commit_report>,
  caf::reacts_to<commit_watch_atom>>;

/// Spawns the writer, its committer and its importer (published for the HTTP side before this
/// returns). Every committed learnable activity is sent to `learners` as
/// `(learn_atom, learn_batch)`, in id order.
activity_writer_actor spawn_activity_writer(caf::actor_system& sys,
                                            const writer_settings& settings,
                                            pattern_learners_actor learners);

} // namespace foresight
