// save_schedule: when a pattern learner shard saves, as a pure schedule. Each shard ticks every
// `tick` on a fixed phase of its own (shard i of n: i/n of a tick later than shard 0), and a
// tick saves every change (not only new patterns) once `full_every` has passed since the last full
// save, the shards' first full saves spread over one `full_every`. Started together, the shards
// otherwise all saved their counts at the same moment, and their PostgreSQL backends kept the
// activity commits from the cores for about 200 ms per period (bench/README.md).
#pragma once
#include <chrono>

namespace foresight {

class save_schedule {
public:
  using clock = std::chrono::steady_clock;
  using ms = std::chrono::milliseconds;

  save_schedule(ms tick, ms full_every, int shard, int shards, clock::time_point start);

  /// From `start` to the first tick.
  ms first_tick() const { return tick_ + phase_; }
  /// From `now` to the next tick after it: ticks fall at start + phase + k * tick, however late
  /// the one before came.
  ms until_next_tick(clock::time_point now) const;
  /// At a tick: whether it should save every change. Half a tick early counts, so that a tick
  /// that comes a little late does not push the full save to the next one.
  bool full_due(clock::time_point now) const {
    return now - last_full_ >= full_every_ - tick_ / 2;
  }
  /// A full save was started at `now`.
  void full_started(clock::time_point now) { last_full_ = now; }

private:
  ms tick_;
  ms full_every_;
  ms phase_;
  clock::time_point start_;
  clock::time_point last_full_;
};

} // namespace foresight
