// Structured logging: one JSON object per line on stdout, written whole so lines never interleave,
// by a thread of its own.
#pragma once
#include <chrono>
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

/// Queues `{"ts":..,"level":..,"msg":..,<fields>}` as one line for stdout; never blocks on
/// stdout (a line that does not fit the 1 MiB buffer is dropped and counted in /metrics).
void log_event(std::string_view level, std::string_view message,
               const std::vector<log_field>& fields = {});

/// Waits up to `within` for the queued lines to be written (also done at exit).
void flush_log(std::chrono::milliseconds within);

/// Current UTC time as ISO 8601 with milliseconds.
std::string utc_timestamp();

} // namespace foresight
