// awaiting_by_number: what waits for an outcome, numbered in the order it came (0, 1, 2, ...).
// Outcomes may come in any order and at most once each: taking a number hands its entry out
// once; a number taken already, or never given, yields nothing. Memory follows the span from the
// oldest entry still waiting to the newest.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

namespace foresight {

template <class T>
class awaiting_by_number {
public:
  /// Keeps `x`; returns its number (one more than the last given).
  std::uint64_t add(T x) {
    slots_.emplace_back(std::move(x));
    return base_ + slots_.size() - 1;
  }

  /// The entry numbered `n`, if it waits; it waits no more.
  std::optional<T> take(std::uint64_t n) {
    if (n < base_ || n - base_ >= slots_.size() || !slots_[n - base_])
      return std::nullopt;
    std::optional<T> out = std::move(slots_[n - base_]);
    slots_[n - base_].reset();
    while (!slots_.empty() && !slots_.front()) {
      slots_.pop_front();
      ++base_;
    }
    return out;
  }

  /// The oldest number that may still wait (every number before it has been taken).
  std::uint64_t oldest() const { return base_; }

private:
  std::deque<std::optional<T>> slots_;
  std::uint64_t base_ = 0;
};

} // namespace foresight
