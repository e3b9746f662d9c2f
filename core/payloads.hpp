// Request bodies to domain values: every JSON body is parsed and validated here, before any
// actor sees it. Malformed JSON is a 400; well-formed but invalid input is a 422 naming the field.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "core/model.hpp"

namespace foresight {

/// True if `id` is 1-100 characters of [A-Za-z0-9_.@-] (user and connection ids).
bool is_valid_identifier(std::string_view id);

/// Checks that `text` is valid UTF-8 without NUL bytes (what PostgreSQL TEXT can store exactly).
bool is_storable_text(std::string_view text);

/// `{"username","password"}` for the token route.
api_error parse_credentials(std::string_view body, credentials& out);

/// A user for `POST /api/v1/users`.
api_error parse_new_user(std::string_view body, new_user& out);

/// `{"password", "current_password"}` for `PUT /api/v1/users/{id}/password`; `out.user_id` is
/// left to the caller (it is the path).
api_error parse_password_change(std::string_view body, password_change& out);

/// A catalog for `PUT /api/v1/connections/{id}`; `out.id` is left to the caller (it is the path).
api_error parse_catalog(std::string_view body, connection_catalog& out);

/// What an activity parser does with a `created_at` member.
enum class created_at_rule {
  refuse,  ///< present: 422 (POST /api/v1/activity/log without --replay-clock)
  accept,  ///< optional, strict ISO 8601, normalised to UTC (`2026-01-05T09:14:00Z`)
  require, ///< as accept, and absent is a 422 (import lines)
};

/// A body for `POST /api/v1/activity/log`, without user id, enrichment or idempotency key.
/// Reserved metadata keys (role, department, goals) are dropped: only the server sets them.
api_error parse_activity(std::string_view body, std::size_t max_text_bytes, activity_row& out,
                         created_at_rule created_at = created_at_rule::refuse);

/// The longest `key` an import line may carry (stored with a prefix in a VARCHAR(100)).
constexpr std::size_t max_import_key_chars = 90;

/// What an import line carries beyond a /log body.
struct import_line_extras {
  std::string key;             ///< the line's `key` member
  std::string id;              ///< its `id` member (a string or an integer), as text
  std::string metadata_role;   ///< metadata.role, which /log would drop
  /// metadata.activity_id as text: an id of the system the log came from. The line's metadata
  /// keeps it as `source_activity_id`; the importer maps it to one of ours if it can.
  std::string rated_source_id;
};

/// One line of `POST /api/v1/activity/import` / `foresightd import`: the /log rules, plus a
/// required `user_id` (into `out.user_id`) and a required `created_at`. Unknown members are
/// ignored.
api_error parse_import_line(std::string_view line, std::size_t max_text_bytes, activity_row& out,
                            import_line_extras& extras);

/// A strict ISO 8601 timestamp normalised to UTC: `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` before
/// the `Z` only when there are milliseconds. False if `text` is not one.
bool normalise_timestamp(std::string_view text, std::string& out);

/// `activity_type`, `limit` (1-1000, default 100) and `before_id` of the history route, from
/// the decoded query parameters.
api_error parse_history_query(const std::map<std::string, std::string>& q, history_query& out);

/// `limit` of the patterns route: 1-100, default 10 (per pattern type).
api_error parse_patterns_query(const std::map<std::string, std::string>& q, patterns_query& out);

/// `partial_query` (at most 500 bytes) and `max_suggestions` (1-12; absent: the user's
/// preference) of the suggestions route, from the query string or a JSON body. The query
/// parameter `as_of` is read only if `accept_as_of` (--replay-clock; else present is a 422):
/// strict ISO 8601, normalised to `YYYY-MM-DDTHH:MM:SSZ`.
api_error parse_suggestion_request(const std::map<std::string, std::string>& q,
                                   std::string_view body, suggestion_request& out,
                                   bool accept_as_of = false);

/// The optional Idempotency-Key header: at most 100 visible ASCII characters.
api_error check_idempotency_key(const std::string& key);

/// Checks a JSON text is an array of strings (for `--goals`), normalised to compact JSON in `out`.
api_error normalise_string_array(std::string_view json, const std::string& field, std::string& out);

/// Reads a JSON array of strings (a stored JSONB list); false if it is anything else.
bool parse_string_list(std::string_view json, std::vector<std::string>& out);

} // namespace foresight
