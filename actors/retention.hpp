// retention: the scheduled job that drops the result rows of old activities (docs/security.md).
#pragma once
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/storage_pool.hpp"

namespace foresight {

/// The job's timer: run a pass now (page by page while pages come back full).
using retention_run_atom = caf::atom_constant<caf::atom("ret_run")>;

/// The job takes only its own timer.
using retention_actor = caf::typed_actor<caf::reacts_to<retention_run_atom>>;

struct retention_settings {
  int days = 30;       ///< result rows older than this go; 0: the job does not run
  int every_s = 3600;  ///< pause between runs
};

/// Spawns the job (nothing, for `days == 0`). Each run asks storage `(retain_atom, days, page)`
/// page by page until a page comes back short, then sleeps `every_s`.
retention_actor spawn_retention(caf::actor_system& sys, storage_actor storage,
                                const retention_settings& settings);

} // namespace foresight
