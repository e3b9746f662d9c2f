// Body parsing with simdjson's DOM API; field-level rules for each payload.
#include "core/payloads.hpp"

#include <limits>
#include <set>
#include <simdjson.h>

#include "core/activity.hpp"
#include "core/activity_type.hpp"
#include "core/json_body.hpp"
#include "core/json_writer.hpp"
#include "core/timestamp.hpp"

namespace foresight {

namespace dom = simdjson::dom;

namespace {

constexpr std::size_t max_name_chars = 100;
constexpr std::size_t max_text_chars = 1000;
constexpr std::size_t max_catalog_items = 2000;

api_error invalid(std::string field, std::string message) {
  return make_error(error_code::validation_failed, std::move(message), std::move(field));
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
  auto& parser = thread_json_parser();
  dom::object root;
  if (auto err = parse_json_object(parser, body, root))
    return err;
  if (auto err = read_string(root, "username", out.username, true, max_name_chars))
    return err;
  return read_string(root, "password", out.password, true, 1024);
}

api_error parse_new_user(std::string_view body, new_user& out) {
  auto& parser = thread_json_parser();
  dom::object root;
  if (auto err = parse_json_object(parser, body, root))
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

api_error parse_password_change(std::string_view body, password_change& out) {
  auto& parser = thread_json_parser();
  dom::object root;
  if (auto err = parse_json_object(parser, body, root))
    return err;
  if (auto err = read_string(root, "password", out.password, true, 1024))
    return err;
  if (out.password.size() < 8)
    return invalid("password", "password must have at least 8 characters");
  return read_string(root, "current_password", out.current_password, false, 1024);
}

api_error parse_catalog(std::string_view body, connection_catalog& out) {
  auto& parser = thread_json_parser();
  dom::object root;
  if (auto err = parse_json_object(parser, body, root))
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

namespace {

/// One step on the way to a NUL: an object member's key or an array index.
struct nul_step {
  std::string key;
  std::size_t index = 0;
  bool is_index = false;
};

bool find_nul(dom::element e, std::vector<nul_step>& way, bool& in_key);

/// Whether a key or string inside `obj` holds a NUL character (PostgreSQL stores none, in text
/// or JSONB). Allocates nothing unless it finds one (the common case costs one walk); then `way`
/// holds the steps to it, innermost first, and `in_key` tells whether it is in a key.
bool find_nul(dom::object obj, std::vector<nul_step>& way, bool& in_key) {
  for (auto field : obj) {
    if (field.key.find('\0') != std::string_view::npos) {
      in_key = true;
      return true;
    }
    if (find_nul(field.value, way, in_key)) {
      way.push_back({std::string(field.key)});
      return true;
    }
  }
  return false;
}

bool find_nul(dom::element e, std::vector<nul_step>& way, bool& in_key) {
  std::string_view text;
  if (!e.get(text))
    return text.find('\0') != std::string_view::npos;
  dom::object obj;
  if (!e.get(obj))
    return find_nul(obj, way, in_key);
  dom::array arr;
  if (!e.get(arr)) {
    std::size_t i = 0;
    for (auto item : arr) {
      if (find_nul(item, way, in_key)) {
        way.push_back({{}, i, true});
        return true;
      }
      ++i;
    }
  }
  return false;
}

/// `metadata.rows[0][1]`, or `metadata (a key)` for a NUL in a key.
std::string nul_path(const std::vector<nul_step>& way, bool in_key) {
  std::string out;
  for (auto s = way.rbegin(); s != way.rend(); ++s) {
    if (s->is_index) {
      out += "[" + std::to_string(s->index) + "]";
    } else {
      if (!out.empty())
        out += '.';
      out += s->key;
    }
  }
  if (in_key)
    out += out.empty() ? "(a key)" : " (a key)";
  return out;
}

/// The rules of /log and of an import line, on an already parsed object. With `extras`, an
/// import line: metadata.role is kept aside and metadata.activity_id (an id of the system the log
/// came from) moves to `extras->rated_source_id` instead of naming one of ours.
api_error parse_activity_object(dom::object& root, std::size_t max_text_bytes, activity_row& out,
                                created_at_rule created_at, import_line_extras* extras) {
  std::vector<nul_step> way;
  bool in_key = false;
  if (find_nul(root, way, in_key)) {
    auto at = nul_path(way, in_key);
    return invalid(at, at + " contains a NUL character");
  }
  if (auto err = read_string(root, "activity_type", out.activity_type, true, 50))
    return err;
  if (!is_activity_type(out.activity_type))
    return invalid("activity_type", "activity_type must be one of " + activity_type_names());
  bool needs_text = out.activity_type == "query" || out.activity_type == "chat";
  dom::element e;
  if (!root.at_key("query_text").get(e) && !e.is_null()) {
    if (auto err = read_string(root, "query_text", out.query_text, needs_text, max_text_bytes))
      return err;
    out.has_query_text = true;
  } else if (needs_text) {
    return invalid("query_text", "query_text is required for " + out.activity_type);
  }
  bool needs_click = out.activity_type == "suggestion_click";
  if (!root.at_key("suggestion_clicked").get(e) && !e.is_null()) {
    if (auto err = read_string(root, "suggestion_clicked", out.suggestion_clicked, needs_click,
                               max_text_bytes))
      return err;
    out.has_suggestion_clicked = true;
  } else if (needs_click) {
    return invalid("suggestion_clicked", "suggestion_clicked is required for suggestion_click");
  }
  if (!root.at_key("feedback_rating").get(e) && !e.is_null()) {
    std::int64_t rating = 0;
    if (e.get(rating) || rating < 1 || rating > 5)
      return invalid("feedback_rating", "feedback_rating must be an integer from 1 to 5");
    out.feedback_rating = static_cast<std::int32_t>(rating);
  } else if (out.activity_type == "feedback") {
    return invalid("feedback_rating", "feedback_rating is required for feedback");
  }
  if (!root.at_key("created_at").get(e) && !e.is_null()) {
    if (created_at == created_at_rule::refuse)
      return invalid("created_at", "created_at is accepted only with --replay-clock; use "
                                   "/api/v1/activity/import to backfill");
    std::string_view text;
    if (e.get(text) || !normalise_timestamp(text, out.created_at))
      return invalid("created_at", "created_at must be an ISO 8601 timestamp such as "
                                   "2026-01-05T09:14:00Z (Z or +hh:mm offset)");
  } else if (created_at == created_at_rule::require) {
    return invalid("created_at", "created_at is required");
  }
  if (!root.at_key("response_data").get(e) && !e.is_null()) {
    if (!e.is_object())
      return invalid("response_data", "response_data must be an object");
    out.response_data_json = simdjson::minify(e);
  }
  out.metadata_json = "{}";
  if (!root.at_key("metadata").get(e) && !e.is_null()) {
    dom::object meta;
    if (e.get(meta))
      return invalid("metadata", "metadata must be an object");
    json_writer w;
    w.begin_object();
    for (auto field : meta) {
      std::string_view text;
      if (extras && field.key == "role" && !field.value.is_null()) {
        if (field.value.get(text) || text.empty() || text.size() > max_name_chars ||
            !is_storable_text(text))
          return invalid("metadata.role", "metadata.role must be a non-empty string of at most " +
                                            std::to_string(max_name_chars) + " bytes");
        extras->metadata_role.assign(text.data(), text.size());
      }
      if (is_reserved_metadata_key(field.key))
        continue;
      if (extras && field.key == "activity_id") {
        if (field.value.get(text))
          extras->rated_source_id = simdjson::minify(field.value);
        else
          extras->rated_source_id.assign(text.data(), text.size());
        w.key("source_activity_id").raw(simdjson::minify(field.value));
        continue;
      }
      // What the learners need from the client's context.
      if (field.key == "connection_id" && !field.value.get(text))
        out.connection_id.assign(text.data(), text.size());
      std::int64_t rated = 0;
      if (field.key == "activity_id" && field.value.is_int64() && !field.value.get(rated) &&
          rated > 0)
        out.rated_activity_id = rated;
      w.key(field.key).raw(simdjson::minify(field.value));
    }
    w.end_object();
    out.metadata_json = w.take();
  }
  return {};
}

/// A string or integer member as text (ids of other systems come in both forms); false if it is
/// absent, null or anything else.
bool read_id_text(dom::object& obj, const char* name, std::string& out) {
  dom::element e;
  if (obj.at_key(name).get(e) || e.is_null())
    return false;
  std::string_view sv;
  if (!e.get(sv)) {
    out.assign(sv.data(), sv.size());
    return !out.empty();
  }
  if (e.is_int64() || e.is_uint64()) {
    out = simdjson::minify(e);
    return true;
  }
  return false;
}

} // namespace

bool normalise_timestamp(std::string_view text, std::string& out) {
  std::int64_t ms = 0;
  if (!parse_iso8601_ms(text, ms))
    return false;
  out = ms % 1000 == 0 ? format_iso8601(ms / 1000) : format_iso8601_ms(ms);
  return true;
}

api_error parse_activity(std::string_view body, std::size_t max_text_bytes, activity_row& out,
                         created_at_rule created_at) {
  auto& parser = thread_json_parser();
  dom::object root;
  if (auto err = parse_json_object(parser, body, root))
    return err;
  return parse_activity_object(root, max_text_bytes, out, created_at, nullptr);
}

api_error parse_import_line(std::string_view line, std::size_t max_text_bytes, activity_row& out,
                            import_line_extras& extras) {
  auto& parser = thread_json_parser();
  dom::object root;
  if (auto err = parse_json_object(parser, line, root))
    return err;
  if (auto err = read_string(root, "user_id", out.user_id, true, max_name_chars))
    return err;
  if (!is_valid_identifier(out.user_id))
    return invalid("user_id", "user_id may contain only letters, digits and _ . @ -");
  if (auto err = parse_activity_object(root, max_text_bytes, out, created_at_rule::require,
                                       &extras))
    return err;
  dom::element e;
  if (!root.at_key("key").get(e) && !e.is_null()) {
    std::string_view key;
    bool visible = !e.get(key) && !key.empty() && key.size() <= max_import_key_chars;
    for (unsigned char c : key)
      visible = visible && c >= 0x21 && c <= 0x7e;
    if (!visible)
      return invalid("key", "key must be 1-" + std::to_string(max_import_key_chars) +
                              " visible ASCII characters");
    extras.key.assign(key.data(), key.size());
  }
  read_id_text(root, "id", extras.id);
  return {};
}

namespace {

/// Reads an optional integer query parameter bounded to [lo, hi].
api_error read_bounded(const std::map<std::string, std::string>& q, const char* name,
                       std::int64_t lo, std::int64_t hi, std::int64_t& v) {
  auto i = q.find(name);
  if (i == q.end() || i->second.empty())
    return {};
  std::size_t used = 0;
  try {
    v = std::stoll(i->second, &used);
  } catch (...) {
    used = 0;
  }
  if (used != i->second.size() || used == 0 || v < lo || v > hi)
    return invalid(name, std::string(name) + " must be an integer from " + std::to_string(lo) +
                           " to " + std::to_string(hi));
  return {};
}

} // namespace

api_error parse_patterns_query(const std::map<std::string, std::string>& q, patterns_query& out) {
  std::int64_t limit = 10;
  if (auto err = read_bounded(q, "limit", 1, 100, limit))
    return err;
  out.limit = static_cast<std::int32_t>(limit);
  return {};
}

api_error parse_history_query(const std::map<std::string, std::string>& q, history_query& out) {
  std::int64_t limit = 100, before = 0;
  if (auto err = read_bounded(q, "limit", 1, 1000, limit))
    return err;
  if (auto err = read_bounded(q, "before_id", 1, std::numeric_limits<std::int32_t>::max(), before))
    return err;
  out.limit = static_cast<std::int32_t>(limit);
  out.before_id = before;
  if (auto i = q.find("activity_type"); i != q.end() && !i->second.empty()) {
    if (!is_activity_type(i->second))
      return invalid("activity_type", "activity_type must be one of query, chat, "
                                      "suggestion_click, feedback");
    out.activity_type = i->second;
  }
  return {};
}

api_error parse_suggestion_request(const std::map<std::string, std::string>& q,
                                   std::string_view body, suggestion_request& out,
                                   bool accept_as_of) {
  constexpr std::size_t max_partial_bytes = 500;
  // The spec passes both as query parameters; a JSON body with the same members also works
  // (front ends often POST JSON). Query parameters win.
  if (!body.empty()) {
    dom::object obj;
    if (auto err = parse_json_object(thread_json_parser(), body, obj))
      return err;
    if (auto err = read_string(obj, "partial_query", out.partial_query, false, max_partial_bytes))
      return err;
    dom::element e;
    if (!obj.at_key("max_suggestions").get(e) && !e.is_null()) {
      std::int64_t n = 0;
      if (auto err = read_int_in_range(e, "max_suggestions", 1, max_suggestion_count, n))
        return err;
      out.max_suggestions = static_cast<std::int32_t>(n);
    }
  }
  if (auto i = q.find("partial_query"); i != q.end()) {
    if (i->second.size() > max_partial_bytes)
      return invalid("partial_query", "partial_query is longer than " +
                                        std::to_string(max_partial_bytes) + " bytes");
    if (!is_storable_text(i->second))
      return invalid("partial_query", "partial_query must be UTF-8 without NUL characters");
    out.partial_query = i->second;
  }
  std::int64_t n = out.max_suggestions;
  if (auto err = read_bounded(q, "max_suggestions", 1, max_suggestion_count, n))
    return err;
  out.max_suggestions = static_cast<std::int32_t>(n);
  if (auto i = q.find("as_of"); i != q.end() && !i->second.empty()) {
    if (!accept_as_of)
      return invalid("as_of", "as_of is accepted only with --replay-clock");
    std::int64_t seconds = 0;
    if (!parse_iso8601(i->second, seconds))
      return invalid("as_of", "as_of must be an ISO 8601 timestamp such as 2026-01-05T09:14:00Z "
                              "(Z or +hh:mm offset)");
    out.as_of = format_iso8601(seconds);
  }
  return {};
}

api_error check_idempotency_key(const std::string& key) {
  if (key.size() > 100)
    return invalid("Idempotency-Key", "Idempotency-Key must have at most 100 characters");
  for (unsigned char c : key)
    if (c < 0x21 || c > 0x7e)
      return invalid("Idempotency-Key", "Idempotency-Key must be visible ASCII characters");
  // Imported rows own this prefix (core/activity_import), so the two kinds of key never clash.
  if (key.rfind("import:", 0) == 0)
    return invalid("Idempotency-Key", "Idempotency-Key must not start with import:");
  return {};
}

api_error normalise_string_array(std::string_view json, const std::string& field,
                                 std::string& out) {
  auto& parser = thread_json_parser();
  dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc))
    return invalid(field, field + " must be a JSON array of strings");
  return check_string_array(doc, field, out);
}

bool parse_string_list(std::string_view json, std::vector<std::string>& out) {
  dom::array arr;
  if (thread_json_parser().parse(json.data(), json.size()).get(arr))
    return false;
  out.clear();
  for (auto item : arr) {
    std::string_view sv;
    if (item.get(sv))
      return false;
    out.emplace_back(sv);
  }
  return true;
}

} // namespace foresight
