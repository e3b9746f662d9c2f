// Tests for group_commit_queue: admission up to queue_max (in flight included), one batch at a
// time of at most batch_max rows, the batch-wait timer, and rows past their send-by time.
#include "core/group_commit_queue.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;
using queue = group_commit_queue<int>;
using ms = std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(group_commit_queue)

BOOST_AUTO_TEST_CASE(admission_counts_waiting_and_in_flight_rows) {
  queue q{3, 2, 0};
  auto now = queue::clock::now();
  BOOST_TEST(q.admits(3));
  BOOST_TEST(!q.admits(4));
  q.push(1);
  q.push(2);
  auto t = q.take(now, false, true);
  BOOST_TEST(t.batch.size() == 2u);
  BOOST_TEST(q.in_flight() == 2u);
  q.push(3);
  BOOST_TEST(!q.admits(1), "two in flight and one waiting fill a queue of three");
  q.committed(2);
  BOOST_TEST(q.admits(2));
  BOOST_TEST(!q.admits(3));
}

BOOST_AUTO_TEST_CASE(one_batch_at_a_time_of_at_most_batch_max_in_arrival_order) {
  queue q{100, 3, 0};
  auto now = queue::clock::now();
  for (int i = 1; i <= 5; ++i)
    q.push(i);
  auto t = q.take(now, false, true);
  BOOST_TEST(t.batch == (std::vector<int>{1, 2, 3}));
  BOOST_TEST(q.busy());
  BOOST_TEST(q.take(now, false, true).batch.empty(), "the committer is busy");
  q.committed(3);
  BOOST_TEST(q.take(now, false, true).batch == (std::vector<int>{4, 5}));
  q.committed(2);
  BOOST_TEST(q.take(now, false, true).batch.empty());
  BOOST_TEST(!q.busy());
}

BOOST_AUTO_TEST_CASE(drain_takes_every_waiting_row_and_leaves_the_batch_in_flight) {
  queue q{100, 2, 0};
  auto now = queue::clock::now();
  for (int i = 1; i <= 5; ++i)
    q.push(i);
  BOOST_TEST(q.take(now, false, true).batch == (std::vector<int>{1, 2}));
  BOOST_TEST(q.drain() == (std::vector<int>{3, 4, 5}));
  BOOST_TEST(q.waiting() == 0u);
  BOOST_TEST(q.in_flight() == 2u, "the batch committing is not the writer's to take back");
  q.committed(2);
  BOOST_TEST(q.take(now, false, true).batch.empty());
  BOOST_TEST(q.admits(100));
}

BOOST_AUTO_TEST_CASE(nothing_goes_without_a_committer) {
  queue q{100, 3, 0};
  q.push(1);
  BOOST_TEST(q.take(queue::clock::now(), false, false).batch.empty());
  BOOST_TEST(q.waiting() == 1u);
}

BOOST_AUTO_TEST_CASE(with_batch_wait_a_short_queue_waits_for_the_timer_armed_once) {
  queue q{100, 3, 5};
  auto now = queue::clock::now();
  q.push(1);
  auto t = q.take(now, false, true);
  BOOST_TEST(t.batch.empty());
  BOOST_TEST(t.arm_timer);
  q.push(2);
  auto t2 = q.take(now, false, true);
  BOOST_TEST(t2.batch.empty());
  BOOST_TEST(!t2.arm_timer, "already armed");
  q.timer_fired();
  BOOST_TEST(q.take(now, true, true).batch == (std::vector<int>{1, 2}));
}

BOOST_AUTO_TEST_CASE(with_batch_wait_a_full_batch_goes_at_once) {
  queue q{100, 2, 5};
  q.push(1);
  q.push(2);
  auto t = q.take(queue::clock::now(), false, true);
  BOOST_TEST(t.batch.size() == 2u);
  BOOST_TEST(!t.arm_timer);
}

BOOST_AUTO_TEST_CASE(rows_past_their_send_by_come_out_unsent) {
  queue q{100, 2, 0};
  auto now = queue::clock::now();
  q.push(1, now - ms(1));
  q.push(2, now - ms(1));
  q.push(3, now);     // exactly at send-by: still sent
  q.push(4, now + ms(10));
  auto t = q.take(now, false, true);
  BOOST_TEST(t.expired == (std::vector<int>{1, 2}));
  BOOST_TEST(t.batch == (std::vector<int>{3, 4}), "an all-expired batch makes way for the next");
  BOOST_TEST(q.in_flight() == 2u);
}

BOOST_AUTO_TEST_CASE(all_expired_leaves_the_queue_idle) {
  queue q{100, 5, 0};
  auto now = queue::clock::now();
  q.push(1, now - ms(1));
  auto t = q.take(now, false, true);
  BOOST_TEST(t.expired.size() == 1u);
  BOOST_TEST(t.batch.empty());
  BOOST_TEST(!q.busy());
  BOOST_TEST(q.waiting() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
