// Tests for bounded_pool: jobs run off the caller's thread, and excess is refused at once.
#include "core/bounded_pool.hpp"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <future>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(bounded_pooling)

BOOST_AUTO_TEST_CASE(jobs_beyond_the_queue_are_refused_at_once_and_the_rest_all_run) {
  std::promise<void> gate, started;
  auto opened = gate.get_future().share();
  std::atomic<int> ran{0};
  {
    bounded_pool pool{1, 2};
    BOOST_TEST(pool.try_submit([&] {
      started.set_value();
      opened.wait();
      ++ran;
    }));
    started.get_future().wait(); // the worker is busy; the queue is empty
    auto queued = [&] {
      opened.wait();
      ++ran;
    };
    BOOST_TEST(pool.try_submit(queued));
    BOOST_TEST(pool.try_submit(queued));
    auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(!pool.try_submit(queued));
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(50)));
    BOOST_TEST(pool.load() == 3u, "one running, two waiting");
    gate.set_value();
  } // the destructor runs what was queued
  BOOST_TEST(ran == 3);
}

BOOST_AUTO_TEST_SUITE_END()
