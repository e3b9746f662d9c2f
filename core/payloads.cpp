// Body parsing with simdjson's DOM API; field-level rules for each payload.
#include "core/payloads.hpp"

#include <set>
#include <simdjson.h>

#include "core/json_writer.hpp"

namespace foresight {

namespace dom = simdjson::dom;

namespace {

constexpr std::size_t max_name_chars = 100;
constexpr std::size_t max_text_chars = 1000;
constexpr std::size_t max_catalog_items = 2000;

api_error invalid(std::string field, std::string message) {
  return make_error(error_code::validation_failed, std::move(message), std::move(field));
}

/// Parses `body` as a JSON object. The parser must outlive `root`.
api_error parse_object(dom::parser& parser, std::string_view body, dom::object& root) {
  if (body.empty())
    return make_error(error_code::bad_request, "request body is empty; a JSON object is expected");
  dom::element doc;
  auto err = parser.parse(body.data(), body.size()).get(doc);
  if (err == simdjson::UTF8_ERROR)
    return invalid("", "request body is not valid UTF-8");
  if (err)
    return make_error(error_code::bad_request,
                      std::string("malformed JSON: ") + simdjson::error_message(err));
  if (doc.get(root))
    return invalid("", "request body must be a JSON object");
  return {};
}

/// Reads an optional string member. Absent or null leaves `out` alone.
api_error read_string(dom::object& obj, const char* name, std::string& out, bool required,
                      std::size_t max_chars, const std::string& prefix = {}) {
  std::string field = prefix + name;
  dom::element e;
  if (obj.at_key(name).get(e) || e.is_null()) {
    if (required)
      return invalid(field, field + " is required");
    return {};
  }
  std::string_view sv;
  if (e.get(sv))
    return invalid(field, field + " must be a string");
  if (required && sv.empty())
    return invalid(field, field + " must not be empty");
  if (sv.size() > max_chars)
    return invalid(field, field + " is longer than " + std::to_string(max_chars) + " bytes");
  if (!is_storable_text(sv))
    return invalid(field, field + " contains a NUL character");
  out.assign(sv.data(), sv.size());
  return {};
}

api_error read_bool(dom::object& obj, const char* name, bool& out) {
  dom::element e;
  if (obj.at_key(name).get(e) || e.is_null())
    return {};
  if (e.get(out))
    return invalid(name, std::string(name) + " must be a boolean");
  return {};
}

api_error check_string_array(dom::element e, const std::string& field, std::string& out) {
  dom::array arr;
  if (e.get(arr))
    return invalid(field, field + " must be an array of strings");
  json_writer w;
  w.begin_array();
  std::size_t i = 0;
  for (auto item : arr) {
    std::string_view sv;
    auto item_field = field + "[" + std::to_string(i++) + "]";
    if (item.get(sv))
      return invalid(item_field, item_field + " must be a string");
    if (sv.size() > max_text_chars)
      return invalid(item_field, item_field + " is too long");
    if (!is_storable_text(sv))
      return invalid(item_field, item_field + " contains a NUL character");
    w.value(sv);
  }
  if (i > 100)
    return invalid(field, field + " has more than 100 entries");
  w.end_array();
  out = w.take();
  return {};
}

/// Reads `name` as an array of objects; calls `each(object, field_prefix)` for every element.
template <class F>
api_error read_object_array(dom::object& obj, const char* name, F each) {
  dom::element e;
  if (obj.at_key(name).get(e) || e.is_null())
    return {};
  dom::array arr;
  if (e.get(arr))
    return invalid(name, std::string(name) + " must be an array of objects");
  if (arr.size() > max_catalog_items)
    return invalid(name, std::string(name) + " has more than " +
                             std::to_string(max_catalog_items) + " entries");
  std::size_t i = 0;
  std::set<std::string> seen;
  for (auto item : arr) {
    auto prefix = std::string(name) + "[" + std::to_string(i++) + "].";
    dom::object o;
    if (item.get(o))
      return invalid(prefix.substr(0, prefix.size() - 1), "each entry must be an object");
    std::string item_name;
    if (auto err = each(o, prefix, item_name))
      return err;
    if (!seen.insert(item_name).second)
      return invalid(prefix + "name", "duplicate name '" + item_name + "' in " + name);
  }
  return {};
}

api_error read_catalog_name(dom::object& o, const std::string& prefix, std::string& name) {
  if (auto err = read_string(o, "name", name, true, max_name_chars, prefix))
    return err;
  for (unsigned char c : name)
    if (c < 0x20)
      return invalid(prefix + "name", prefix + "name contains a control character");
  return {};
}

} // namespace

bool is_valid_identifier(std::string_view id) {
  if (id.empty() || id.size() > 100)
    return false;
  for (unsigned char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '@' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

bool is_storable_text(std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    return false;
  return simdjson::validate_utf8(text.data(), text.size());
}

api_error parse_credentials(std::string_view body, credentials& out) {
  dom::parser parser;
  dom::object root;
  if (auto err = parse_object(parser, body, root))
    return err;
  if (auto err = read_string(root, "username", out.username, true, max_name_chars))
    return err;
  return read_string(root, "password", out.password, true, 1024);
}

api_error parse_new_user(std::string_view body, new_user& out) {
  dom::parser parser;
  dom::object root;
  if (auto err = parse_object(parser, body, root))
    return err;
  if (auto err = read_string(root, "id", out.id, true, max_name_chars))
    return err;
  if (!is_valid_identifier(out.id))
    return invalid("id", "id may contain only letters, digits and _ . @ -");
  out.username = out.id;
  if (auto err = read_string(root, "username", out.username, false, max_name_chars))
    return err;
  if (out.username.empty())
    return invalid("username", "username must not be empty");
  if (auto err = read_string(root, "password", out.password, true, 1024))
    return err;
  if (out.password.size() < 8)
    return invalid("password", "password must have at least 8 characters");
  if (auto err = read_string(root, "role", out.role, true, max_name_chars))
    return err;
  if (auto err = read_string(root, "department", out.department, false, 200))
    return err;
  dom::element goals;
  if (!root.at_key("goals").get(goals) && !goals.is_null())
    if (auto err = check_string_array(goals, "goals", out.goals_json))
      return err;
  return read_bool(root, "is_admin", out.is_admin);
}

api_error parse_catalog(std::string_view body, connection_catalog& out) {
  dom::parser parser;
  dom::object root;
  if (auto err = parse_object(parser, body, root))
    return err;
  if (auto err = read_string(root, "name", out.name, true, 200))
    return err;
  auto err = read_object_array(root, "metrics", [&](dom::object& o, const std::string& p,
                                                    std::string& name) -> api_error {
    catalog_metric m;
    if (auto e = read_catalog_name(o, p, m.name))
      return e;
    m.display_name = m.name;
    if (auto e = read_string(o, "display_name", m.display_name, false, max_text_chars, p))
      return e;
    if (auto e = read_string(o, "description", m.description, false, max_text_chars, p))
      return e;
    if (auto e = read_string(o, "aggregation", m.aggregation, false, 50, p))
      return e;
    name = m.name;
    out.metrics.push_back(std::move(m));
    return {};
  });
  if (err)
    return err;
  err = read_object_array(root, "dimensions", [&](dom::object& o, const std::string& p,
                                                  std::string& name) -> api_error {
    catalog_dimension d;
    if (auto e = read_catalog_name(o, p, d.name))
      return e;
    d.display_name = d.name;
    if (auto e = read_string(o, "display_name", d.display_name, false, max_text_chars, p))
      return e;
    if (auto e = read_string(o, "type", d.type, false, 50, p))
      return e;
    name = d.name;
    out.dimensions.push_back(std::move(d));
    return {};
  });
  if (err)
    return err;
  return read_object_array(root, "entities", [&](dom::object& o, const std::string& p,
                                                 std::string& name) -> api_error {
    catalog_entity en;
    if (auto e = read_catalog_name(o, p, en.name))
      return e;
    en.display_name = en.name;
    if (auto e = read_string(o, "display_name", en.display_name, false, max_text_chars, p))
      return e;
    name = en.name;
    out.entities.push_back(std::move(en));
    return {};
  });
}

api_error normalise_string_array(std::string_view json, const std::string& field,
                                 std::string& out) {
  dom::parser parser;
  dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc))
    return invalid(field, field + " must be a JSON array of strings");
  return check_string_array(doc, field, out);
}

} // namespace foresight
