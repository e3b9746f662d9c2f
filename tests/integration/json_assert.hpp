// Reading values out of JSON response bodies in tests, by JSON pointer.
#pragma once
#include <cstdint>
#include <simdjson.h>
#include <string>

namespace foresight::testing {

/// Parses `body` and returns the value at `pointer` (e.g. "/error/code") as text: strings
/// unquoted, everything else minified. "<missing>" or "<invalid json>" otherwise.
inline std::string json_at(const std::string& body, const std::string& pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc))
    return "<invalid json>";
  simdjson::dom::element e;
  if (doc.at_pointer(pointer).get(e))
    return "<missing>";
  std::string_view sv;
  if (!e.get(sv))
    return std::string(sv);
  return simdjson::minify(e);
}

} // namespace foresight::testing
