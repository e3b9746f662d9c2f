#include "core/save_schedule.hpp"

#include <algorithm>

namespace foresight {

save_schedule::save_schedule(ms tick, ms full_every, int shard, int shards,
                             clock::time_point start)
  : tick_(std::max(tick, ms(1))),
    full_every_(full_every),
    phase_(tick_ * shard / std::max(shards, 1)),
    start_(start),
    last_full_(start - full_every * shard / std::max(shards, 1)) {}

save_schedule::ms save_schedule::until_next_tick(clock::time_point now) const {
  auto since = std::chrono::duration_cast<ms>(now - start_ - phase_);
  if (since < ms(0))
    return -since;
  return tick_ - since % tick_;
}

} // namespace foresight
