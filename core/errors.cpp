// String and status tables for error_code; tests/core/errors_test.cpp checks that they cover every value.
#include "core/errors.hpp"

namespace foresight {

const char* to_string(error_code code) {
  switch (code) {
    case error_code::none: return "none";
    case error_code::bad_request: return "bad_request";
    case error_code::unauthorized: return "unauthorized";
    case error_code::forbidden: return "forbidden";
    case error_code::not_found: return "not_found";
    case error_code::method_not_allowed: return "method_not_allowed";
    case error_code::payload_too_large: return "payload_too_large";
    case error_code::header_too_large: return "header_too_large";
    case error_code::unsupported_media_type: return "unsupported_media_type";
    case error_code::validation_failed: return "validation_failed";
    case error_code::conflict: return "conflict";
    case error_code::rate_limited: return "rate_limited";
    case error_code::internal: return "internal";
    case error_code::unavailable: return "unavailable";
    case error_code::timeout: return "timeout";
  }
  return "unknown";
}

int http_status(error_code code) {
  switch (code) {
    case error_code::none: return 200;
    case error_code::bad_request: return 400;
    case error_code::unauthorized: return 401;
    case error_code::forbidden: return 403;
    case error_code::not_found: return 404;
    case error_code::method_not_allowed: return 405;
    case error_code::payload_too_large: return 413;
    case error_code::header_too_large: return 431;
    case error_code::unsupported_media_type: return 415;
    case error_code::validation_failed: return 422;
    case error_code::conflict: return 409;
    case error_code::rate_limited: return 429;
    case error_code::internal: return 500;
    case error_code::unavailable: return 503;
    case error_code::timeout: return 504;
  }
  return 500;
}

api_error make_error(error_code code, std::string message, std::string field) {
  api_error e;
  e.code = code;
  e.message = std::move(message);
  e.field = std::move(field);
  return e;
}

} // namespace foresight
