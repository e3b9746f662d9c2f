// crowd: what other people ask (core/crowd_book), kept in memory from every committed question.
// Loaded from the activity table at start, then fed the committed activities that the pattern
// router publishes to the `foresight.learned` group.
#pragma once
#include <caf/fwd.hpp>
#include <caf/group.hpp>
#include <caf/typed_actor.hpp>
#include <string>

#include "actors/catalog_registry.hpp"
#include "actors/storage_pool.hpp"

namespace foresight {

/// `(crowd_atom, user_id, role, connection_id, previous_template, typed_word)` answers the
/// crowd's part of that user's ranking; `forget_atom` (after an erase) reloads it from the table,
/// as it keeps no per-user undo.
using crowd_actor = caf::typed_actor<
  caf::replies_to<crowd_atom, std::string, std::string, std::string, std::string,
                  std::string>::with<crowd_view>,
  caf::reacts_to<forget_atom>>;

/// Where the pattern router publishes every committed learnable batch (after its learners).
caf::group learned_activities_group(caf::actor_system& sys);

/// Spawns the crowd; `min_users` is the privacy rule's k.
crowd_actor spawn_crowd(caf::actor_system& sys, storage_actor storage,
                       catalog_registry_actor catalogs, int min_users);

} // namespace foresight
