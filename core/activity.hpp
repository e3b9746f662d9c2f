// Activity rules that are not about parsing: the known types and the server-side metadata
// enrichment (role, department and goals as they are when the activity is logged).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/model.hpp"

namespace foresight {

/// One of the activity type table's names (core/activity_type.hpp).
bool is_activity_type(std::string_view type);

/// The metadata keys only the server may set.
bool is_reserved_metadata_key(std::string_view key);

/// Prepends the user's role, department and goals to a compact JSON object that carries no
/// reserved keys (payload parsing strips them).
std::string enrich_metadata(const std::string& metadata_json, const user_profile& user);

/// The learners' copy of a new learnable row, exactly as replay_activities reads it back (plus
/// the session serial, which only live rows have).
learned_activity learned_from(const activity_row& r, std::int64_t id, const std::string& created_at,
                              std::string rated_query_text);

/// Appends `"name":value` to a compact JSON object that does not have that member yet.
std::string with_member(const std::string& object_json, std::string_view name, std::int64_t value);
std::string with_member(const std::string& object_json, std::string_view name,
                        std::string_view value);

} // namespace foresight
