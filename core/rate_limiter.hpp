// rate_limiter: token buckets by key (a user, a login name, an address), bounded in memory.
// Keys an attacker chooses (login names, addresses) must not grow the map without end, so the
// least recently used buckets are evicted: first those idle long enough to be full again (an
// evicted full bucket and a fresh one are the same), then, past `max_keys`, the oldest.
#pragma once
#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace foresight {

class rate_limiter {
public:
  using clock = std::chrono::steady_clock;

  /// `rate` admissions a second per key, at most `burst` at once; `rate` <= 0 admits everything.
  /// At most `max_keys` buckets are kept.
  rate_limiter(double rate, double burst, std::size_t max_keys = 100000);

  /// 0 if `key` may go ahead now (and charges it), else the whole seconds to wait. Thread-safe.
  int admit(const std::string& key, clock::time_point now = clock::now());

  /// Buckets held (for tests).
  std::size_t size() const;

private:
  struct bucket {
    std::string key;
    double tokens;
    clock::time_point last;
  };
  double rate_;
  double burst_;
  std::size_t max_keys_;
  mutable std::mutex mtx_;
  std::list<bucket> lru_; ///< most recently used first
  std::unordered_map<std::string, std::list<bucket>::iterator> index_;
};

} // namespace foresight
