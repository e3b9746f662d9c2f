// thread_priority: the calling thread's place in the scheduler: a lower priority for work off the
// request path, a short time slice for the step every request waits on.
#pragma once
#include <cstdint>

namespace foresight {

/// Raises the calling thread's nice value by `increment` (0: unchanged). Lowering a priority
/// needs no privilege; a failure leaves the thread as it was.
void lower_current_thread_priority(int increment);

/// Asks the scheduler for a short time slice for the calling thread (EEVDF, Linux 6.12+): among
/// runnable threads it then comes first when it wakes. Needs no privilege; an older kernel
/// ignores it.
void request_short_time_slice(std::uint64_t slice_ns);

/// The calling thread's time slice in nanoseconds as the kernel reports it (0: none reported,
/// as before Linux 6.12).
std::uint64_t current_thread_time_slice();

} // namespace foresight
