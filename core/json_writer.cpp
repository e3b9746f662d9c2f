// json_writer: comma bookkeeping and RFC 8259 string escaping.
#include "core/json_writer.hpp"

#include <charconv>
#include <cmath>

namespace foresight {

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void json_writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_items_.empty()) {
    if (has_items_.back())
      out_.push_back(',');
    has_items_.back() = true;
  }
}

json_writer& json_writer::begin_object() {
  before_value();
  out_.push_back('{');
  has_items_.push_back(false);
  return *this;
}

json_writer& json_writer::end_object() {
  out_.push_back('}');
  has_items_.pop_back();
  return *this;
}

json_writer& json_writer::begin_array() {
  before_value();
  out_.push_back('[');
  has_items_.push_back(false);
  return *this;
}

json_writer& json_writer::end_array() {
  out_.push_back(']');
  has_items_.pop_back();
  return *this;
}

json_writer& json_writer::key(std::string_view name) {
  before_value();
  append_json_string(out_, name);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

json_writer& json_writer::value(std::string_view s) {
  before_value();
  append_json_string(out_, s);
  return *this;
}

json_writer& json_writer::value(std::int64_t n) {
  before_value();
  out_ += std::to_string(n);
  return *this;
}

json_writer& json_writer::value(double d) {
  before_value();
  if (!std::isfinite(d)) {
    out_ += "null"; // JSON has no NaN or infinity
    return *this;
  }
  char buf[32]; // shortest text that reads back as the same double
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  out_.append(buf, res.ptr);
  return *this;
}

json_writer& json_writer::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

json_writer& json_writer::null() {
  before_value();
  out_ += "null";
  return *this;
}

json_writer& json_writer::raw(std::string_view json) {
  before_value();
  if (json.empty())
    out_ += "null";
  else
    out_.append(json.data(), json.size());
  return *this;
}

json_writer& json_writer::value(const std::vector<std::string>& items) {
  begin_array();
  for (auto& item : items)
    value(item);
  return end_array();
}

} // namespace foresight
