// group_commit_queue: the activity writer's rows waiting for a transaction, as a state machine.
// It admits rows up to `queue_max` (waiting plus in flight), hands out at most `batch_max` at a
// time and only while no batch is committing, optionally waits `batch_wait_ms` for a batch to
// fill, and takes rows past their send-by time out unsent. Pure: time is the caller's `now`; the
// caller sends the batch, answers the rows and runs the timer. `Item` is what the caller keeps
// with each row (the row and whom to answer).
#pragma once
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

namespace foresight {

template <class Item>
class group_commit_queue {
public:
  using clock = std::chrono::steady_clock;

  /// What `take` hands out.
  struct taken {
    std::vector<Item> batch;   ///< to commit now, in arrival order (empty: none)
    std::vector<Item> expired; ///< past their send-by time: answer them unsent
    bool arm_timer = false;    ///< start the batch-wait timer; call `timer_fired` when it ends
  };

  group_commit_queue(std::size_t queue_max, std::size_t batch_max, int batch_wait_ms)
    : queue_max_(queue_max), batch_max_(std::max<std::size_t>(1, batch_max)),
      batch_wait_ms_(batch_wait_ms) {}

  /// Whether `n` more rows fit: waiting plus in flight stay within `queue_max`.
  bool admits(std::size_t n) const { return queue_.size() + in_flight_ + n <= queue_max_; }

  /// Queues `item`, to be sent by `send_by` (the caller checked `admits`).
  void push(Item item, clock::time_point send_by = clock::time_point::max()) {
    queue_.push_back({std::move(item), send_by});
  }

  /// The next batch, if one may go: the committer is `ready` (it exists), none is committing,
  /// rows wait, and either the batch is full, batch_wait is off, or the wait is over (`waited`).
  /// Rows past their send-by time at `now` come out as `expired` instead; a batch taken is
  /// committing until `committed`.
  taken take(clock::time_point now, bool waited, bool ready) {
    taken t;
    while (!queue_.empty()) {
      if (busy_ || !ready)
        return t; // the committer is busy: the queue grows into the next batch
      if (!waited && batch_wait_ms_ > 0 && queue_.size() < batch_max_) {
        if (!timer_armed_) {
          timer_armed_ = true;
          t.arm_timer = true;
        }
        return t;
      }
      waited = false;
      auto n = std::min(batch_max_, queue_.size());
      for (std::size_t k = 0; k < n; ++k) {
        auto& front = queue_.front();
        if (front.send_by < now)
          t.expired.push_back(std::move(front.item));
        else
          t.batch.push_back(std::move(front.item));
        queue_.pop_front();
      }
      if (t.batch.empty())
        continue;
      busy_ = true;
      in_flight_ += t.batch.size();
      return t;
    }
    return t;
  }

  /// The batch of `n` rows taken last has its outcome (committed or failed).
  void committed(std::size_t n) {
    busy_ = false;
    in_flight_ -= n;
  }

  /// Every waiting row, taken out unsent (the writer handed its role to another node); the batch
  /// in flight, if any, stays in flight.
  std::vector<Item> drain() {
    std::vector<Item> out;
    for (auto& q : queue_)
      out.push_back(std::move(q.item));
    queue_.clear();
    return out;
  }

  /// The batch-wait timer ended.
  void timer_fired() { timer_armed_ = false; }

  std::size_t waiting() const { return queue_.size(); }
  std::size_t in_flight() const { return in_flight_; }
  bool busy() const { return busy_; }

private:
  struct queued {
    Item item;
    clock::time_point send_by;
  };
  std::size_t queue_max_, batch_max_;
  int batch_wait_ms_;
  std::deque<queued> queue_;
  std::size_t in_flight_ = 0;
  bool busy_ = false;
  bool timer_armed_ = false;
};

} // namespace foresight
