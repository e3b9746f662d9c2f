#include "core/metrics.hpp"

#include <boost/test/unit_test.hpp>
#include <string>
#include <thread>
#include <vector>

using namespace foresight;

namespace {

/// The value of the exposition line that starts with `prefix` (-1 if there is none).
long long value_of(const std::string& text, const std::string& prefix) {
  auto at = text.find(prefix);
  if (at == std::string::npos)
    return -1;
  return std::stoll(text.substr(at + prefix.size()));
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics)

// Each thread counts its own answers; /metrics must show the sums over all threads.
BOOST_AUTO_TEST_CASE(requests_counted_on_many_threads_add_up) {
  auto& m = metrics_registry::instance();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&m, t] {
      for (int i = 0; i < 1000; ++i) {
        m.observe_request("GET /test/sums", i % 10 == 0 ? 404 : 200, 0.002);
        if (t == 0 && i % 100 == 0)
          m.render(); // rendering while others count must not disturb them
      }
    });
  for (auto& th : threads)
    th.join();
  auto text = m.render();
  BOOST_TEST(value_of(text, "foresight_http_requests_total{route=\"GET /test/sums\",status=\"200\"} ") ==
             3600);
  BOOST_TEST(value_of(text, "foresight_http_requests_total{route=\"GET /test/sums\",status=\"404\"} ") ==
             400);
  BOOST_TEST(value_of(text, "foresight_http_request_duration_seconds_count{route=\"GET /test/sums\"} ") ==
             4000);
  // 2 ms is over the 1 ms bucket and within the 2.5 ms one.
  BOOST_TEST(value_of(text, "foresight_http_request_duration_seconds_bucket{route=\"GET /test/sums\",le=\"0.001\"} ") ==
             0);
  BOOST_TEST(value_of(text, "foresight_http_request_duration_seconds_bucket{route=\"GET /test/sums\",le=\"0.0025\"} ") ==
             4000);
}

BOOST_AUTO_TEST_CASE(gauges_keep_their_values_by_name) {
  auto& m = metrics_registry::instance();
  auto& g = m.get_gauge("foresight_test_gauge", "a test gauge");
  g.add(5);
  g.add(-2);
  BOOST_TEST(&m.get_gauge("foresight_test_gauge", "a test gauge") == &g);
  BOOST_TEST(value_of(m.render(), "\nforesight_test_gauge ") == 3);
}

BOOST_AUTO_TEST_SUITE_END()
