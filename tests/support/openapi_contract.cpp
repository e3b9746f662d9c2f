// openapi_contract: path template matching, response lookup, and a JSON Schema subset
// (type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, allOf,
// $ref, minimum, maximum, min/maxItems, min/maxLength); annotations are ignored.
#include "tests/support/openapi_contract.hpp"

#include <cctype>
#include <cmath>
#include <stdexcept>

#include "http/media_type.hpp"
#include "http/openapi_document.hpp"
#include "http/router.hpp"

namespace foresight::testing {

namespace dom = simdjson::dom;

namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* type_name(dom::element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY: return "array";
    case dom::element_type::OBJECT: return "object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64: return "integer";
    case dom::element_type::DOUBLE: return "number";
    case dom::element_type::STRING: return "string";
    case dom::element_type::BOOL: return "boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "?";
}

bool has_type(dom::element value, std::string_view want) {
  std::string_view got = type_name(value);
  if (want == got)
    return true;
  if (want == "number" && got == "integer")
    return true;
  // 2.0 is an integer to JSON Schema.
  if (want == "integer" && got == "number") {
    double d = value.get_double().value();
    return std::floor(d) == d;
  }
  return false;
}

double number_of(dom::element e) {
  double d = 0;
  if (!e.get(d))
    return d;
  std::int64_t i = 0;
  if (!e.get(i))
    return static_cast<double>(i);
  std::uint64_t u = 0;
  return e.get(u) ? 0 : static_cast<double>(u);
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

bool json_equal(dom::element a, dom::element b) {
  return simdjson::minify(a) == simdjson::minify(b);
}

} // namespace

openapi_contract::openapi_contract(std::string_view document) {
  if (parser_.parse(document.data(), document.size()).get(doc_))
    throw std::runtime_error("the OpenAPI document is not JSON");
  // The document's paths, matched as foresightd's router matches its own.
  dom::object paths;
  if (!doc_["paths"].get(paths))
    for (auto [templ, item] : paths)
      templates_.add("ANY", std::string(templ), route_id::healthz);
}

dom::element openapi_contract::resolve(dom::element node) const {
  for (int hops = 0; hops < 16; ++hops) {
    dom::object obj;
    std::string_view ref;
    if (node.get(obj) || obj["$ref"].get(ref))
      return node;
    if (ref.rfind("#", 0) != 0)
      throw std::runtime_error("only local $ref is supported: " + std::string(ref));
    if (doc_.at_pointer(ref.substr(1)).get(node))
      throw std::runtime_error("dangling $ref " + std::string(ref));
  }
  throw std::runtime_error("$ref cycle");
}

std::vector<std::pair<std::string, std::string>> openapi_contract::operations() const {
  std::vector<std::pair<std::string, std::string>> out;
  dom::object paths;
  if (doc_["paths"].get(paths))
    return out;
  for (auto [path, item] : paths) {
    dom::object ops;
    if (item.get(ops))
      continue;
    for (auto [method, op] : ops) {
      std::string m(method);
      if (m == "get" || m == "put" || m == "post" || m == "delete" || m == "patch" || m == "head") {
        for (auto& c : m)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out.emplace_back(m, std::string(path));
      }
    }
  }
  return out;
}

std::string openapi_contract::check(const std::string& method, const std::string& target,
                                    int status, const std::string& content_type,
                                    const std::string& body) const {
  auto path = target.substr(0, target.find('?'));
  auto where = method + " " + path + " -> " + std::to_string(status) + ": ";
  dom::object paths;
  if (doc_["paths"].get(paths))
    return where + "the document has no paths";
  auto found = templates_.resolve("ANY", path);
  bool path_known = found.kind == routing_result::found;
  const auto& templ = found.pattern;
  dom::object operation;
  bool operation_known = path_known && !paths[templ][lower(method)].get(operation);
  dom::element response;
  if (!operation_known) {
    // Unknown routes and methods answer in the one error shape.
    if (!(status == 404 && !path_known) && !(status == 405 && path_known))
      return where + (path_known ? "method not documented" : "path not documented");
    dom::element error_schema;
    if (doc_.at_pointer("/components/schemas/Error").get(error_schema))
      return where + "the document has no #/components/schemas/Error";
    auto problem = validate_body(body, error_schema);
    return problem.empty() ? "" : where + problem;
  }
  dom::object responses;
  if (operation["responses"].get(responses))
    return where + "no responses documented";
  auto code = std::to_string(status);
  std::string range = code.substr(0, 1) + "XX";
  if (responses[code].get(response) && responses[range].get(response) &&
      responses["default"].get(response))
    return where + "status not documented";
  response = resolve(response);
  dom::object content;
  if (response["content"].get(content)) {
    if (!body.empty())
      return where + "a body where none is documented";
    return {};
  }
  auto type = media_type(content_type);
  dom::element media;
  if (content[type].get(media)) {
    if (status == 304 && body.empty())
      return {};
    return where + "media type " + type + " not documented";
  }
  dom::element schema;
  if (media["schema"].get(schema) || type.find("json") == std::string::npos ||
      type == "application/x-ndjson")
    return {};
  auto problem = validate_body(body, schema);
  return problem.empty() ? "" : where + problem;
}

std::string openapi_contract::validate_body(const std::string& body, dom::element schema) const {
  dom::parser parser;
  dom::element value;
  if (parser.parse(body).get(value))
    return "body is not JSON: " + body.substr(0, 200);
  return validate(value, schema, "", 0);
}

std::string openapi_contract::validate(std::string_view value, std::string_view schema) const {
  dom::parser vp, sp;
  dom::element v, s;
  if (vp.parse(value.data(), value.size()).get(v))
    return "body is not JSON: " + std::string(value.substr(0, 200));
  if (sp.parse(schema.data(), schema.size()).get(s))
    return "schema is not JSON";
  return validate(v, s, "", 0);
}

std::string openapi_contract::validate(dom::element value, dom::element schema_in,
                                       const std::string& where, int depth) const {
  if (depth > 64)
    return where + ": schema nests too deep";
  auto schema = resolve(schema_in);
  bool flag = true;
  if (!schema.get(flag))
    return flag ? "" : (where.empty() ? "/" : where) + ": no value is allowed here";
  dom::object s;
  if (schema.get(s))
    return where + ": schema is neither an object nor a boolean";
  auto at = where.empty() ? std::string("/") : where;

  dom::element type;
  if (!s["type"].get(type)) {
    bool ok = false;
    std::string_view one;
    dom::array many;
    if (!type.get(one))
      ok = has_type(value, one);
    else if (!type.get(many))
      for (auto t : many)
        ok = ok || (!t.get(one) && has_type(value, one));
    if (!ok)
      return at + ": " + type_name(value) + " where " + simdjson::minify(type) + " is documented";
  }
  dom::array options;
  if (!s["enum"].get(options)) {
    bool found = false;
    for (auto o : options)
      found = found || json_equal(o, value);
    if (!found)
      return at + ": " + simdjson::minify(value) + " is not one of " + simdjson::minify(options);
  }
  dom::element constant;
  if (!s["const"].get(constant) && !json_equal(constant, value))
    return at + ": " + simdjson::minify(value) + " is not " + simdjson::minify(constant);

  if (value.is_number()) {
    double limit = 0, n = number_of(value);
    dom::element bound;
    if (!s["minimum"].get(bound) && (limit = number_of(bound), n < limit))
      return at + ": " + std::to_string(n) + " is below the minimum " + std::to_string(limit);
    if (!s["maximum"].get(bound) && (limit = number_of(bound), n > limit))
      return at + ": " + std::to_string(n) + " is above the maximum " + std::to_string(limit);
  }
  std::string_view text;
  if (!value.get(text)) {
    std::uint64_t limit = 0;
    if (!s["minLength"].get(limit) && utf8_length(text) < limit)
      return at + ": shorter than " + std::to_string(limit);
    if (!s["maxLength"].get(limit) && utf8_length(text) > limit)
      return at + ": longer than " + std::to_string(limit);
  }
  dom::array items;
  if (!value.get(items)) {
    std::uint64_t limit = 0;
    if (!s["minItems"].get(limit) && items.size() < limit)
      return at + ": fewer than " + std::to_string(limit) + " items";
    if (!s["maxItems"].get(limit) && items.size() > limit)
      return at + ": more than " + std::to_string(limit) + " items";
    dom::element item_schema;
    if (!s["items"].get(item_schema)) {
      std::size_t i = 0;
      for (auto item : items) {
        auto problem = validate(item, item_schema, where + "/" + std::to_string(i++), depth + 1);
        if (!problem.empty())
          return problem;
      }
    }
  }
  dom::object object;
  if (!value.get(object)) {
    dom::array required;
    if (!s["required"].get(required))
      for (auto r : required) {
        std::string_view name;
        dom::element ignored;
        if (!r.get(name) && object[name].get(ignored))
          return at + ": the required property \"" + std::string(name) + "\" is missing";
      }
    dom::object properties;
    bool has_properties = !s["properties"].get(properties);
    dom::element additional;
    bool has_additional = !s["additionalProperties"].get(additional);
    for (auto [key, member] : object) {
      dom::element property_schema;
      auto here = where + "/" + std::string(key);
      if (has_properties && !properties[key].get(property_schema)) {
        auto problem = validate(member, property_schema, here, depth + 1);
        if (!problem.empty())
          return problem;
      } else if (has_additional) {
        bool allowed = true;
        if (!additional.get(allowed)) {
          if (!allowed)
            return here + ": property not documented";
        } else {
          auto problem = validate(member, additional, here, depth + 1);
          if (!problem.empty())
            return problem;
        }
      }
    }
  }
  dom::array all;
  if (!s["allOf"].get(all))
    for (auto sub : all) {
      auto problem = validate(value, sub, where, depth + 1);
      if (!problem.empty())
        return problem;
    }
  dom::array any;
  if (!s["anyOf"].get(any)) {
    std::string first;
    for (auto sub : any) {
      auto problem = validate(value, sub, where, depth + 1);
      if (problem.empty()) {
        first.clear();
        break;
      }
      if (first.empty())
        first = problem;
    }
    if (!first.empty())
      return at + ": matches none of anyOf (first: " + first + ")";
  }
  dom::array one;
  if (!s["oneOf"].get(one)) {
    int matches = 0;
    std::string first;
    for (auto sub : one) {
      auto problem = validate(value, sub, where, depth + 1);
      if (problem.empty())
        ++matches;
      else if (first.empty())
        first = problem;
    }
    if (matches != 1)
      return at + ": matches " + std::to_string(matches) + " of oneOf" +
             (first.empty() ? "" : " (first mismatch: " + first + ")");
  }
  return {};
}

const openapi_contract& served_contract() {
  static const openapi_contract contract{openapi_document()};
  return contract;
}

} // namespace foresight::testing
