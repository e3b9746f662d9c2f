// The server side of POST /api/v1/activity/import: an importer actor, child of the activity
// writer, that parses and validates the NDJSON body on its own thread (it has its own connection
// for the user lookups) and stores the lines through the writer in chunks, so the learners (and
// everyone fed by the writer's receipts) see imported rows exactly as they see logged ones.
#pragma once
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/messages.hpp"
#include "ports/activity_importer.hpp"

namespace foresight {

/// `(import_atom, caller, body, max_text_bytes)`: to the activity writer, which delegates it to
/// its importer.
using import_atom = caf::atom_constant<caf::atom("import")>;
/// The importer's own timer: send the chunk the writer refused again.
using import_retry_atom = caf::atom_constant<caf::atom("imp_retry")>;

/// Where an import is asked for: the activity writer (which delegates to its importer), or the
/// importer itself. Answered with an `import_report` (or unauthorized, forbidden,
/// validation_failed for an empty body, unavailable).
using import_endpoint_actor = caf::typed_actor<
  caf::replies_to<import_atom, std::string, std::string, std::uint64_t>::with<import_report>>;

/// What the importer needs of the writer: a chunk stored, one receipt per row.
using activity_batch_sink_actor =
  caf::typed_actor<caf::replies_to<write_atom, activity_batch>::with<batch_receipt>>;

/// The importer: `import_endpoint_actor` plus `(import_retry_atom, job)`.
using activity_importer_actor =
  import_endpoint_actor::extend<caf::reacts_to<import_retry_atom, std::uint64_t>>;

struct importer_settings {
  std::string conninfo;
  std::size_t chunk_rows = 512; ///< at most the writer's batch size and queue bound
};

/// The importer's behavior (spawned detached by the activity writer). It sends its chunks to
/// `writer`, one at a time; it holds only the writer's address, as the writer holds it.
activity_importer_actor::behavior_type importer_behavior(activity_importer_actor::pointer self,
                                                        importer_settings settings,
                                                        caf::actor_addr writer);

/// The `activity_importer` of the most recently spawned activity writer, or null; answers
/// `unavailable` once that writer has stopped. (actor_app does not expose its actors, so the
/// writer publishes this for app/serve.cpp to hand to the HTTP handlers.)
std::shared_ptr<activity_importer> running_activity_importer();

/// Called by spawn_activity_writer: publishes an importer that sends its requests to the writer
/// attached to it (answering `unavailable` until then), at once, so that whoever spawned the
/// writer finds it with running_activity_importer().
std::shared_ptr<activity_importer> publish_activity_importer(caf::actor_system& sys);

/// The writer that a published importer's requests go to.
void attach_activity_writer(const std::shared_ptr<activity_importer>& importer,
                            import_endpoint_actor writer);

/// Called by the writer when it stops: later imports through `importer` answer `unavailable`.
void close_activity_importer(const std::shared_ptr<activity_importer>& importer);

} // namespace foresight
