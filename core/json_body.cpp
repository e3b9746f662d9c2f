// Request bodies as JSON objects.
#include "core/json_body.hpp"

#include <string>

namespace foresight {

simdjson::dom::parser& thread_json_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

api_error parse_json_object(simdjson::dom::parser& parser, std::string_view body,
                            simdjson::dom::object& root) {
  if (body.empty())
    return make_error(error_code::bad_request, "request body is empty; a JSON object is expected");
  simdjson::dom::element doc;
  auto err = parser.parse(body.data(), body.size()).get(doc);
  // Invalid UTF-8 is malformed JSON (RFC 8259 section 8.1), so a 400 like any other.
  if (err == simdjson::UTF8_ERROR)
    return make_error(error_code::bad_request, "malformed JSON: the body is not valid UTF-8");
  if (err)
    return make_error(error_code::bad_request,
                      std::string("malformed JSON: ") + simdjson::error_message(err));
  if (doc.get(root))
    return make_error(error_code::validation_failed, "request body must be a JSON object");
  return {};
}

api_error read_int_in_range(simdjson::dom::element e, const std::string& field, std::int64_t lo,
                            std::int64_t hi, std::int64_t& out) {
  std::int64_t n = 0;
  if (!e.is_int64() || e.get(n) || n < lo || n > hi)
    return make_error(error_code::validation_failed,
                      field + " must be an integer from " + std::to_string(lo) + " to " +
                        std::to_string(hi),
                      field);
  out = n;
  return {};
}

} // namespace foresight
