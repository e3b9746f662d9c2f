// The first step of reading any request body: JSON text to a simdjson object, with the API's
// errors (400 for malformed JSON, invalid UTF-8 included, or an empty body; 422 for a
// non-object).
// For the parsers in core/ only; it exposes simdjson, which the rest of the code never sees.
#pragma once
#include <cstdint>
#include <simdjson.h>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace foresight {

/// One parser per thread: a simdjson parser owns buffers sized for the largest document it has
/// seen, and allocating them for every request was the server's biggest malloc cost.
simdjson::dom::parser& thread_json_parser();

/// Parses `body` as a JSON object. The parser must outlive `root`.
api_error parse_json_object(simdjson::dom::parser& parser, std::string_view body,
                            simdjson::dom::object& root);

/// Reads `e` as a JSON integer from `lo` to `hi` (6.5 and "6" are refused); otherwise a 422
/// naming `field`.
api_error read_int_in_range(simdjson::dom::element e, const std::string& field, std::int64_t lo,
                            std::int64_t hi, std::int64_t& out);

} // namespace foresight
