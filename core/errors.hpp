// The one table of API errors: each domain error has a stable code string and an HTTP status.
#pragma once
#include <cstdint>
#include <exception>
#include <string>

namespace foresight {

/// Every way a request can fail, as seen by a client.
enum class error_code : std::uint8_t {
  none = 0,
  bad_request,            ///< malformed syntax (bad JSON, bad query string)
  unauthorized,           ///< no token, bad token, expired token, bad credentials
  forbidden,              ///< authenticated but not allowed
  not_found,              ///< no such route or resource
  method_not_allowed,     ///< route exists, method does not
  payload_too_large,      ///< body over the configured limit
  header_too_large,       ///< request head over the configured limit
  unsupported_media_type, ///< body is not JSON
  validation_failed,      ///< well-formed but invalid; names the field
  conflict,               ///< the resource exists already
  rate_limited,           ///< too many requests
  internal,               ///< a bug or an unexpected database error
  unavailable,            ///< database down, queue full, shutting down
  timeout,                ///< an internal deadline passed
};

/// Number of enumerators, for the consistency test.
constexpr int error_code_count = static_cast<int>(error_code::timeout) + 1;

/// Stable snake_case name of the code, sent to clients as `error.code`.
const char* to_string(error_code code);

/// HTTP status for the code.
int http_status(error_code code);

/// An error travelling towards a client: what went wrong and, for validation, which field.
struct api_error {
  error_code code = error_code::none;
  std::string message;
  std::string field; ///< empty unless a validation error names a field
  int retry_after_seconds = 0; ///< >0: sent as Retry-After

  explicit operator bool() const { return code != error_code::none; }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_error& x) {
  return f(x.code, x.message, x.field, x.retry_after_seconds);
}

/// Shorthand constructor.
api_error make_error(error_code code, std::string message, std::string field = {});

/// Thrown inside an operation to abort it with an api_error; caught at the actor boundary.
struct api_exception : std::exception {
  api_error error;
  explicit api_exception(api_error e) : error(std::move(e)) {}
  const char* what() const noexcept override { return error.message.c_str(); }
};

} // namespace foresight
