// The OpenAPI document as a check on real responses: which operation a request reached, and
// whether the status, media type and body the server answered are the ones documented. Tests
// run every reply of their HTTP client through it, so code and document cannot drift apart.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "http/router.hpp"

namespace foresight::testing {

class openapi_contract {
public:
  /// Parses `document` (OpenAPI 3.1 JSON); throws std::runtime_error if it is not JSON.
  explicit openapi_contract(std::string_view document);

  /// Empty if the response is documented and its body validates; else what is wrong.
  /// A target no path matches must be answered 404 or 405 with the error schema
  /// (`#/components/schemas/Error`).
  std::string check(const std::string& method, const std::string& target, int status,
                    const std::string& content_type, const std::string& body) const;

  /// Every (METHOD, path template) the document describes.
  std::vector<std::pair<std::string, std::string>> operations() const;

  /// Validates `value` (JSON text) against `schema` (JSON text) with the subset of JSON Schema
  /// the document uses; empty if valid. `$ref`s resolve within this document.
  std::string validate(std::string_view value, std::string_view schema) const;

private:
  std::string validate_body(const std::string& body, simdjson::dom::element schema) const;
  std::string validate(simdjson::dom::element value, simdjson::dom::element schema,
                       const std::string& where, int depth) const;
  simdjson::dom::element resolve(simdjson::dom::element node) const;

  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
  router templates_; ///< the document's path templates, to find which one a target falls under
};

/// The document foresightd serves at /openapi.json.
const openapi_contract& served_contract();

} // namespace foresight::testing
