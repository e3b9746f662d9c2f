// log_event: formats with json_writer and writes the whole line with one call under a mutex.
#include "core/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "core/json_writer.hpp"

namespace foresight {

std::string utc_timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80]; // roomy: the compiler cannot bound the year
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

void log_event(std::string_view level, std::string_view message,
               const std::vector<log_field>& fields) {
  json_writer w;
  w.begin_object().key("ts").value(utc_timestamp()).key("level").value(level).key("msg").value(
    message);
  for (auto& f : fields) {
    w.key(f.key);
    if (f.raw)
      w.raw(f.value);
    else
      w.value(f.value);
  }
  w.end_object();
  auto line = w.take();
  line.push_back('\n');
  static std::mutex mtx;
  std::lock_guard<std::mutex> guard{mtx};
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

} // namespace foresight
