// Token buckets in an LRU list: admit() moves its bucket to the front, so idle buckets gather at
// the back, where eviction looks.
#include "core/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace foresight {

rate_limiter::rate_limiter(double rate, double burst, std::size_t max_keys)
  : rate_(rate), burst_(std::max(1.0, burst)), max_keys_(std::max<std::size_t>(1, max_keys)) {
  // nop
}

int rate_limiter::admit(const std::string& key, clock::time_point now) {
  if (rate_ <= 0)
    return 0;
  std::lock_guard<std::mutex> guard{mtx_};
  // Buckets that refilled completely carry no information: drop them from the idle end.
  auto full_after = std::chrono::duration<double>(burst_ / rate_);
  while (!lru_.empty() && now - lru_.back().last >= full_after && lru_.back().key != key) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  auto it = index_.find(key);
  if (it == index_.end()) {
    if (lru_.size() >= max_keys_) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
    lru_.push_front(bucket{key, burst_, now});
    it = index_.emplace(key, lru_.begin()).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second);
    auto& b = *it->second;
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
    b.last = now;
  }
  auto& b = *it->second;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rate_)));
}

std::size_t rate_limiter::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return lru_.size();
}

} // namespace foresight
