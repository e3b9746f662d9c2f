#include "actors/thread_priority.hpp"

#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace foresight {

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

} // namespace foresight

namespace foresight {

void request_short_time_slice(std::uint64_t slice_ns) {
  // sched_setattr's own struct (glibc 2.36 has no wrapper): fields up to sched_period, as in
  // linux/sched/types.h. A kernel without custom slices ignores sched_runtime for normal tasks.
  struct {
    std::uint32_t size;
    std::uint32_t sched_policy;
    std::uint64_t sched_flags;
    std::int32_t sched_nice;
    std::uint32_t sched_priority;
    std::uint64_t sched_runtime, sched_deadline, sched_period;
  } attr{};
  attr.size = sizeof attr;
  attr.sched_policy = 0; // SCHED_OTHER
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
  if (errno != 0)
    return;
  attr.sched_nice = nice;
  attr.sched_runtime = slice_ns;
  syscall(SYS_sched_setattr, 0, &attr, 0);
}

} // namespace foresight
