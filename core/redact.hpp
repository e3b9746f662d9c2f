// Redaction of what error messages may carry into logs and replies: credentials in connection
// strings, and the data PostgreSQL quotes back (a DETAIL or CONTEXT line repeats the user's JSON).
#pragma once
#include <string>
#include <string_view>

namespace foresight {

/// `text` with the password of every `scheme://user:password@` URL and every libpq
/// `password=...` keyword value replaced by `***`.
std::string redact_credentials(std::string_view text);

/// A database exception's message fit for a log: its first line only (PostgreSQL's primary
/// message, without DETAIL, CONTEXT, QUERY or HINT), credentials redacted.
std::string database_error_summary(std::string_view what);

} // namespace foresight
