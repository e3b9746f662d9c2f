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
  if (err == simdjson::UTF8_ERROR)
    return make_error(error_code::validation_failed, "request body is not valid UTF-8");
  if (err)
    return make_error(error_code::bad_request,
                      std::string("malformed JSON: ") + simdjson::error_message(err));
  if (doc.get(root))
    return make_error(error_code::validation_failed, "request body must be a JSON object");
  return {};
}

} // namespace foresight
