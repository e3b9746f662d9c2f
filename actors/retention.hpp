// retention: the scheduled job that drops the result rows of old activities (docs/security.md).
#pragma once
#include <caf/fwd.hpp>

namespace foresight {

struct retention_settings {
  int days = 30;       ///< result rows older than this go; 0: the job does not run
  int every_s = 3600;  ///< pause between runs
};

/// Spawns the job (nothing, for `days == 0`). Each run asks storage `(retain_atom, days, page)`
/// page by page until a page comes back short, then sleeps `every_s`.
caf::actor spawn_retention(caf::actor_system& sys, caf::actor storage,
                           const retention_settings& settings);

} // namespace foresight
