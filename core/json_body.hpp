// The first step of reading any request body: JSON text to a simdjson object, with the API's
// errors (400 for malformed JSON or an empty body, 422 for invalid UTF-8 or a non-object).
// For the parsers in core/ only; it exposes simdjson, which the rest of the code never sees.
#pragma once
#include <simdjson.h>
#include <string_view>

#include "core/errors.hpp"

namespace foresight {

/// One parser per thread: a simdjson parser owns buffers sized for the largest document it has
/// seen, and allocating them for every request was the server's biggest malloc cost.
simdjson::dom::parser& thread_json_parser();

/// Parses `body` as a JSON object. The parser must outlive `root`.
api_error parse_json_object(simdjson::dom::parser& parser, std::string_view body,
                            simdjson::dom::object& root);

} // namespace foresight
