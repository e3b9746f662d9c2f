// Structured logging: one JSON object per line on stdout, written whole so lines never interleave.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace foresight {

/// A log field; values are written as JSON strings unless `raw` holds JSON text.
struct log_field {
  std::string key;
  std::string value;
  bool raw = false;
};

/// Writes `{"ts":..,"level":..,"msg":..,<fields>}` as one line.
void log_event(std::string_view level, std::string_view message,
               const std::vector<log_field>& fields = {});

/// Current UTC time as ISO 8601 with milliseconds.
std::string utc_timestamp();

} // namespace foresight
