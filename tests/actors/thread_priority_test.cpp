// Thread priorities: a nicer thread stays nicer, and a short time slice is what the kernel then
// reports for that thread, without changing its nice value.
#include "actors/thread_priority.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace foresight;

namespace {

int nice_of_this_thread() {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

} // namespace

BOOST_AUTO_TEST_SUITE(thread_priority)

BOOST_AUTO_TEST_CASE(a_nicer_thread_leaves_the_others_as_they_were) {
  int before = nice_of_this_thread();
  int in_thread = 0;
  std::thread([&] {
    lower_current_thread_priority(3);
    in_thread = nice_of_this_thread();
  }).join();
  BOOST_TEST(in_thread == std::min(before + 3, 19));
  BOOST_TEST(nice_of_this_thread() == before);
}

BOOST_AUTO_TEST_CASE(a_short_slice_is_the_threads_own_and_keeps_its_nice_value) {
  std::uint64_t default_slice = 0, slice = 0, others = 0;
  int nice_before = 0, nice_after = 0;
  std::thread([&] {
    lower_current_thread_priority(2);
    nice_before = nice_of_this_thread();
    default_slice = current_thread_time_slice();
    request_short_time_slice(100000);
    slice = current_thread_time_slice();
    nice_after = nice_of_this_thread();
  }).join();
  others = current_thread_time_slice();
  BOOST_TEST(nice_after == nice_before);
  if (default_slice == 0) {
    BOOST_TEST_MESSAGE("this kernel reports no time slice (custom slices came in Linux 6.12)");
    return;
  }
  BOOST_TEST(slice == 100000u);
  BOOST_TEST(others == default_slice);
}

BOOST_AUTO_TEST_SUITE_END()
