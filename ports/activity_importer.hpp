// `POST /api/v1/activity/import`, apart from `backend`: the activity writer serves it
// (actors/activity_importer.hpp), and app/serve.cpp hands it to the handlers.
#pragma once
#include <cstddef>
#include <string>

#include "core/activity_import.hpp"
#include "ports/outcome.hpp"

namespace foresight {

/// The import route's port, served apart from `backend` by its own actor.
class activity_importer {
public:
  virtual ~activity_importer() = default;
  /// Admin only. Parses and validates the raw NDJSON `body` off the IO thread, then stores the
  /// valid lines through the activity writer, chunk by chunk; `done` gets the report.
  virtual void import_activities(std::string caller, std::string body,
                                 std::size_t max_text_bytes, callback<import_report> done) = 0;
};

} // namespace foresight
