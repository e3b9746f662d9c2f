// The media type of a Content-Type value (RFC 9110 section 8.3.1): what the server and the
// OpenAPI contract checks compare, without parameters or case.
#pragma once
#include <string>
#include <string_view>

namespace foresight {

/// `Application/JSON; charset=utf-8` -> `application/json`.
std::string media_type(std::string_view content_type);

} // namespace foresight
