// The server side of POST /api/v1/activity/import: an importer actor, child of the activity
// writer, that parses and validates the NDJSON body on its own thread (it has its own connection
// for the user lookups) and stores the lines through the writer in chunks, so the learners (and
// everyone fed by the writer's receipts) see imported rows exactly as they see logged ones.
#pragma once
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "ports/activity_importer.hpp"

namespace foresight {

/// `(import_atom, caller, body, max_text_bytes)`: to the activity writer, which delegates it to
/// its importer.
using import_atom = caf::atom_constant<caf::atom("import")>;

struct importer_settings {
  std::string conninfo;
  std::size_t chunk_rows = 512; ///< at most the writer's batch size and queue bound
};

/// The importer's behavior (spawned detached by the activity writer). It answers
/// `(import_atom, caller, body, max_text_bytes)` with an `import_report` (or unauthorized,
/// forbidden, validation_failed for an empty body, unavailable), and sends its chunks to
/// `writer` as `(write_atom, activity_batch)`, one at a time.
caf::behavior activity_importer_actor(caf::event_based_actor* self, importer_settings settings,
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
                            caf::actor writer);

/// Called by the writer when it stops: later imports through `importer` answer `unavailable`.
void close_activity_importer(const std::shared_ptr<activity_importer>& importer);

} // namespace foresight
