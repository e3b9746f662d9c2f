#include "actors/thread_priority.hpp"

#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace foresight {

namespace {

/// sched_setattr's and sched_getattr's argument (glibc 2.36 wraps neither): the fields up to
/// sched_period, as in linux/sched/types.h.
struct sched_attributes {
  std::uint32_t size = sizeof(sched_attributes);
  std::uint32_t sched_policy = 0; // SCHED_OTHER
  std::uint64_t sched_flags = 0;
  std::int32_t sched_nice = 0;
  std::uint32_t sched_priority = 0;
  std::uint64_t sched_runtime = 0, sched_deadline = 0, sched_period = 0;
};

} // namespace

void lower_current_thread_priority(int increment) {
  if (increment <= 0)
    return;
  // On Linux a nice value belongs to a thread, addressed by its thread id.
  auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  int current = getpriority(PRIO_PROCESS, tid);
  if (errno != 0)
    return;
  setpriority(PRIO_PROCESS, tid, current + increment);
}

void request_short_time_slice(std::uint64_t slice_ns) {
  sched_attributes attr;
  if (syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0) != 0 || attr.sched_policy != 0)
    return;
  // The nice value travels in the same call: the thread's own, as read.
  attr.size = sizeof attr;
  attr.sched_flags = 0;
  attr.sched_runtime = slice_ns;
  syscall(SYS_sched_setattr, 0, &attr, 0);
}

std::uint64_t current_thread_time_slice() {
  sched_attributes attr;
  if (syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0) != 0)
    return 0;
  return attr.sched_runtime;
}

} // namespace foresight
