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
