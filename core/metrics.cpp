// metrics_registry: a mutex-guarded map for the (route, status) pairs, atomics for the rest.
#include "core/metrics.hpp"

#include <array>
#include <map>
#include <mutex>
#include <sstream>

namespace foresight {

namespace {
constexpr std::array<double, 12> bucket_bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
struct histogram {
  std::array<std::uint64_t, bucket_bounds.size()> buckets{};
  std::uint64_t count = 0;
  double sum = 0;
};
struct named_gauge {
  std::string help;
  bool counter = false;
  gauge g;
};
} // namespace

struct metrics_registry::impl {
  mutable std::mutex mtx;
  std::map<std::pair<std::string, int>, std::uint64_t> requests;
  std::map<std::string, histogram> latency; // by route
  std::map<std::string, named_gauge> gauges;
};

metrics_registry::metrics_registry() : impl_(new impl) {
  // nop
}

metrics_registry& metrics_registry::instance() {
  static metrics_registry registry; // lives until exit; never destroyed mid-request
  return registry;
}

void metrics_registry::observe_request(std::string_view route, int status, double seconds) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  std::string r{route};
  ++impl_->requests[{r, status}];
  auto& h = impl_->latency[r];
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

std::string metrics_registry::render() const {
  std::ostringstream out;
  std::lock_guard<std::mutex> guard{impl_->mtx};
  out << "# HELP foresight_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE foresight_http_requests_total counter\n";
  for (auto& [key, n] : impl_->requests)
    out << "foresight_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << "\n";
  out << "# HELP foresight_http_request_duration_seconds Time from request read to response.\n"
         "# TYPE foresight_http_request_duration_seconds histogram\n";
  for (auto& [route, h] : impl_->latency) {
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
  return out.str();
}

} // namespace foresight
