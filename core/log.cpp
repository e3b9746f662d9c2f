// log_event: formats with json_writer; whole lines go through one bounded buffer to stdout.
#include "core/log.hpp"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "core/json_writer.hpp"
#include "core/metrics.hpp"

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

namespace {

/// Lines go to a bounded buffer that one thread writes to stdout. A stdout that blocks (a full
/// pipe, a stopped terminal) then stops only that thread: request handling never waits for it,
/// and lines past the bound are dropped and counted.
class log_sink {
public:
  static constexpr std::size_t capacity = 1 << 20;

  static log_sink& instance() {
    static auto* sink = new log_sink; // never destroyed: threads may log while the process exits
    return *sink;
  }

  void push(std::string line) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (pending_.size() + line.size() > capacity) {
      static auto& dropped = metrics_registry::instance().get_counter(
        "foresight_log_lines_dropped_total", "log lines dropped because stdout did not keep up");
      dropped.add(1);
      return;
    }
    pending_ += line;
    if (!started_) {
      started_ = true;
      std::thread([this] { drain(); }).detach();
      std::atexit([] { instance().flush(std::chrono::seconds(2)); });
    }
    wake_.notify_one();
  }

  void flush(std::chrono::milliseconds within) {
    std::unique_lock<std::mutex> lock{mtx_};
    written_.wait_for(lock, within, [this] { return pending_.empty() && !writing_; });
  }

private:
  void drain() {
    std::unique_lock<std::mutex> lock{mtx_};
    for (;;) {
      wake_.wait(lock, [this] { return !pending_.empty(); });
      std::string out;
      out.swap(pending_);
      writing_ = true;
      lock.unlock();
      for (std::size_t at = 0; at < out.size();) {
        auto n = ::write(1, out.data() + at, out.size() - at);
        if (n < 0 && errno == EINTR)
          continue;
        if (n <= 0)
          break; // stdout is gone: nothing to be done about it
        at += static_cast<std::size_t>(n);
      }
      lock.lock();
      writing_ = false;
      written_.notify_all();
    }
  }

  std::mutex mtx_;
  std::condition_variable wake_, written_;
  std::string pending_;
  bool started_ = false;
  bool writing_ = false;
};

} // namespace

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
  log_sink::instance().push(std::move(line));
}

void flush_log(std::chrono::milliseconds within) {
  log_sink::instance().flush(within);
}

} // namespace foresight
