// metrics_registry: request counts kept per thread and summed when rendered, a mutex-guarded map
// for the named gauges (atomics, each on a cache line of its own).
#include "core/metrics.hpp"

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

namespace foresight {

namespace {

constexpr std::array<double, 12> bucket_bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

struct histogram {
  std::array<std::uint64_t, bucket_bounds.size()> buckets{};
  std::uint64_t count = 0;
  double sum = 0;

  histogram& operator+=(const histogram& o) {
    for (std::size_t i = 0; i < buckets.size(); ++i)
      buckets[i] += o.buckets[i];
    count += o.count;
    sum += o.sum;
    return *this;
  }
};

struct route_stats {
  std::map<int, std::uint64_t> by_status;
  histogram latency;
};

/// One thread's answered requests. Only that thread adds to them, under a lock of its own that
/// only render() also takes: one lock for every answer of every IO thread made them wait for each
/// other and pass its cache line back and forth.
struct alignas(64) thread_requests {
  std::mutex mtx;
  std::map<std::string, route_stats, std::less<>> by_route; ///< found by string_view
};

struct named_gauge {
  std::string help;
  bool counter = false;
  gauge g;
};

} // namespace

struct metrics_registry::impl {
  mutable std::mutex mtx; ///< guards `threads` (the list, not their counts) and `gauges`
  std::vector<std::unique_ptr<thread_requests>> threads; ///< never shrinks: threads keep a pointer
  std::map<std::string, named_gauge> gauges;
  std::map<std::string, std::function<std::string()>> sections;

  thread_requests& mine() {
    thread_local thread_requests* t = nullptr;
    if (!t) {
      std::lock_guard<std::mutex> guard{mtx};
      threads.push_back(std::make_unique<thread_requests>());
      t = threads.back().get();
    }
    return *t;
  }
};

metrics_registry::metrics_registry() : impl_(new impl) {
  // nop
}

metrics_registry& metrics_registry::instance() {
  static metrics_registry registry; // lives until exit; never destroyed mid-request
  return registry;
}

void metrics_registry::observe_request(std::string_view route, int status, double seconds) {
  auto& t = impl_->mine();
  std::lock_guard<std::mutex> guard{t.mtx};
  auto r = t.by_route.find(route);
  if (r == t.by_route.end())
    r = t.by_route.emplace(std::string(route), route_stats{}).first;
  ++r->second.by_status[status];
  auto& h = r->second.latency;
  for (std::size_t i = 0; i < bucket_bounds.size(); ++i)
    if (seconds <= bucket_bounds[i])
      ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

gauge& metrics_registry::get_gauge(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  auto& entry = impl_->gauges[name];
  entry.help = help;
  return entry.g;
}

gauge& metrics_registry::get_counter(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  auto& entry = impl_->gauges[name];
  entry.help = help;
  entry.counter = true;
  return entry.g;
}

void metrics_registry::set_section(const std::string& name, std::function<std::string()> render) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  if (render)
    impl_->sections[name] = std::move(render);
  else
    impl_->sections.erase(name);
}

std::string metrics_registry::render() const {
  std::ostringstream out;
  std::lock_guard<std::mutex> guard{impl_->mtx};
  std::map<std::pair<std::string, int>, std::uint64_t> requests;
  std::map<std::string, histogram> latency; // by route
  for (auto& t : impl_->threads) {
    std::lock_guard<std::mutex> mine{t->mtx};
    for (auto& [route, stats] : t->by_route) {
      for (auto& [status, n] : stats.by_status)
        requests[{route, status}] += n;
      latency[route] += stats.latency;
    }
  }
  out << "# HELP foresight_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE foresight_http_requests_total counter\n";
  for (auto& [key, n] : requests)
    out << "foresight_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << "\n";
  out << "# HELP foresight_http_request_duration_seconds Time from request read to response.\n"
         "# TYPE foresight_http_request_duration_seconds histogram\n";
  for (auto& [route, h] : latency) {
    for (std::size_t i = 0; i < bucket_bounds.size(); ++i)
      out << "foresight_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\""
          << bucket_bounds[i] << "\"} " << h.buckets[i] << "\n";
    out << "foresight_http_request_duration_seconds_bucket{route=\"" << route
        << "\",le=\"+Inf\"} " << h.count << "\n";
    out << "foresight_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum
        << "\n";
    out << "foresight_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count
        << "\n";
  }
  for (auto& [name, entry] : impl_->gauges) {
    out << "# HELP " << name << " " << entry.help << "\n# TYPE " << name << " "
        << (entry.counter ? "counter" : "gauge") << "\n"
        << name << " " << entry.g.value.load(std::memory_order_relaxed) << "\n";
  }
  for (auto& [name, section] : impl_->sections)
    out << section();
  return out.str();
}

} // namespace foresight
