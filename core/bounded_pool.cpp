// Plain std::thread workers over one queue.
#include "core/bounded_pool.hpp"

#include <algorithm>

namespace foresight {

bounded_pool::bounded_pool(int threads, std::size_t max_waiting) : max_waiting_(max_waiting) {
  for (int i = 0; i < std::max(1, threads); ++i)
    threads_.emplace_back([this] { work(); });
}

bounded_pool::~bounded_pool() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    t.join();
}

bool bounded_pool::try_submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_ || queue_.size() >= max_waiting_)
      return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

std::size_t bounded_pool::load() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return queue_.size() + running_;
}

void bounded_pool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock{mtx_};
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return; // stopping, and nothing left to run
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    job();
    std::lock_guard<std::mutex> guard{mtx_};
    --running_;
  }
}

} // namespace foresight
