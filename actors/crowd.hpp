// crowd: what other people ask (core/crowd_book), kept in memory from every committed question.
// Loaded from the activity table at start, then fed the committed activities that the pattern
// router publishes to the `foresight.learned` group. Sessions ask it for the crowd's part of a
// ranking: `(crowd_atom, user_id, role, connection_id, previous_template, typed_word)` -> crowd_view.
#pragma once
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/group.hpp>
#include <string>

#include "actors/catalog_registry.hpp"

namespace foresight {

/// Where the pattern router publishes every committed learnable batch (after its learners).
caf::group learned_activities_group(caf::actor_system& sys);

/// Spawns the crowd; `min_users` is the privacy rule's k.
caf::actor spawn_crowd(caf::actor_system& sys, caf::actor storage,
                       catalog_registry_actor catalogs, int min_users);

} // namespace foresight
