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

/// A catalog for `PUT /api/v1/connections/{id}`; `out.id` is left to the caller (it is the path).
api_error parse_catalog(std::string_view body, connection_catalog& out);

/// A body for `POST /api/v1/activity/log`, without user id, enrichment or idempotency key.
/// Reserved metadata keys (role, department, goals) are dropped: only the server sets them.
api_error parse_activity(std::string_view body, std::size_t max_text_bytes, activity_row& out);

/// `activity_type`, `limit` (1-1000, default 100) and `before_id` of the history route, from
/// the decoded query parameters.
api_error parse_history_query(const std::map<std::string, std::string>& q, history_query& out);

/// `limit` of the patterns route: 1-100, default 10 (per pattern type).
api_error parse_patterns_query(const std::map<std::string, std::string>& q, patterns_query& out);

/// `partial_query` (at most 500 bytes) and `max_suggestions` (1-12; absent: the user's
/// preference) of the suggestions route, from the query string or a JSON body.
api_error parse_suggestion_request(const std::map<std::string, std::string>& q,
                                   std::string_view body, suggestion_request& out);

/// The optional Idempotency-Key header: at most 100 visible ASCII characters.
api_error check_idempotency_key(const std::string& key);

/// Checks a JSON text is an array of strings (for `--goals`), normalised to compact JSON in `out`.
api_error normalise_string_array(std::string_view json, const std::string& field, std::string& out);

/// Reads a JSON array of strings (a stored JSONB list); false if it is anything else.
bool parse_string_list(std::string_view json, std::vector<std::string>& out);

} // namespace foresight
