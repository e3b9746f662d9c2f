// A small streaming JSON writer: responses are built straight into one string, escaped correctly.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

/// Appends `s` as a quoted JSON string (control characters escaped, UTF-8 passed through).
void append_json_string(std::string& out, std::string_view s);

/// Builds one JSON text; commas between members and elements are placed automatically.
class json_writer {
public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  /// The next value belongs to member `name`.
  json_writer& key(std::string_view name);
  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view{s}); }
  json_writer& value(const std::string& s) { return value(std::string_view{s}); }
  json_writer& value(std::int64_t n);
  json_writer& value(int n) { return value(static_cast<std::int64_t>(n)); }
  json_writer& value(double d);
  json_writer& value(bool b);
  json_writer& null();
  /// Inserts already-valid JSON text (e.g. a JSONB column) as a value; empty means null.
  json_writer& raw(std::string_view json);
  /// An array of strings.
  json_writer& value(const std::vector<std::string>& items);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

private:
  void before_value();
  std::string out_;
  std::vector<bool> has_items_; // one entry per open container
  bool after_key_ = false;
};

} // namespace foresight
