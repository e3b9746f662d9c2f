// Suggestion preferences: the partial-update body of `PUT /api/v1/activity/preferences`, its
// validation (422 naming the field), applying it, and the JSON shape both routes answer with.
#pragma once
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "core/json_writer.hpp"
#include "core/model.hpp"

namespace foresight {

/// The query types a user may prefer.
bool is_preferable_query_type(std::string_view type);

/// Parses and validates a partial update. Read-only members a client may echo back from GET
/// (`user_id`, `updated_at`, `version`) are ignored; any other unknown member is a 422.
api_error parse_preferences_update(std::string_view body, preferences_update& out);

/// Applies `u` to `p`; true if anything changed (the caller then bumps the version).
bool apply_preferences_update(suggestion_preferences& p, const preferences_update& u);

/// The spec's preferences object.
void write_preferences(json_writer& w, const suggestion_preferences& p);

/// Whether two spellings name the same metric: compared as normalised text (case, spacing and
/// punctuation ignored), as users type names loosely.
bool same_metric_name(std::string_view a, std::string_view b);

/// True if `metric` is excluded (by `same_metric_name`).
bool is_excluded_metric(const suggestion_preferences& p, std::string_view metric);

} // namespace foresight
