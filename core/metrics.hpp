// Process-wide metrics rendered in the Prometheus text format for GET /metrics.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace foresight {

/// A value that goes up and down (actors alive, busy connections). Each on a cache line of its
/// own: gauges live in one map, and hot ones updated by different threads must not share a line.
struct alignas(64) gauge {
  std::atomic<std::int64_t> value{0};
  void add(std::int64_t d) { value.fetch_add(d, std::memory_order_relaxed); }
  void set(std::int64_t v) { value.store(v, std::memory_order_relaxed); }
};

/// Requests by route and status, a latency histogram, and named gauges and counters.
class metrics_registry {
public:
  /// The one registry of this process.
  static metrics_registry& instance();

  /// Counts one answered request; `route` is the route pattern, not the raw path.
  void observe_request(std::string_view route, int status, double seconds);

  /// A gauge by name (created on first use; the reference stays valid).
  gauge& get_gauge(const std::string& name, const std::string& help);

  /// A monotonically increasing counter by name (a gauge only ever added to).
  gauge& get_counter(const std::string& name, const std::string& help);

  /// Exposition text that `render` appends under `name` (labelled series a gauge cannot hold);
  /// a later call with the same name replaces it, an empty `render` removes it. `render` runs
  /// inside render(), under the registry's lock: it must not call back into the registry.
  void set_section(const std::string& name, std::function<std::string()> render);

  /// The whole exposition text.
  std::string render() const;

private:
  metrics_registry();
  struct impl;
  impl* impl_;
};

} // namespace foresight
