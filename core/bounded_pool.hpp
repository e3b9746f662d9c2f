// bounded_pool: a few threads of their own for CPU-heavy work (password hashing), with a bounded
// queue that refuses excess at once rather than letting it pile up behind the work in progress.
// Free of CAF: actors hand work in and get their answer through the job's own callback.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace foresight {

class bounded_pool {
public:
  /// `threads` workers (at least 1); at most `max_waiting` jobs queued beyond the running ones.
  bounded_pool(int threads, std::size_t max_waiting);
  /// Runs the queued jobs to the end, then joins the workers.
  ~bounded_pool();

  bounded_pool(const bounded_pool&) = delete;
  bounded_pool& operator=(const bounded_pool&) = delete;

  /// Queues `job`; false (and `job` dropped unrun) when the queue is full. Thread-safe.
  bool try_submit(std::function<void()> job);

  /// Jobs queued or running.
  std::size_t load() const;

private:
  void work();

  std::size_t max_waiting_;
  mutable std::mutex mtx_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace foresight
