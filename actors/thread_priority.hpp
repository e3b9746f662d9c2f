// thread_priority: lowering the priority of the calling thread, for work off the request path.
#pragma once

namespace foresight {

/// Raises the calling thread's nice value by `increment` (0: unchanged). Lowering a priority
/// needs no privilege; a failure leaves the thread as it was.
void lower_current_thread_priority(int increment);

} // namespace foresight
