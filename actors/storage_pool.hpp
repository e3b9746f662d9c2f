// The storage pool: detached workers, each owning one libpqxx connection on its own thread, behind
// a supervisor that spreads requests over them and restarts a worker that dies.
#pragma once
#include <caf/fwd.hpp>
#include <string>

namespace foresight {

/// What the workers need to know.
struct storage_settings {
  std::string conninfo;
  int workers = 4;
};

/// Spawns the supervisor and its workers. The handle accepts every storage operation of
/// actors/messages.hpp; exiting it stops the workers.
caf::actor spawn_storage_pool(caf::actor_system& sys, const storage_settings& settings);

} // namespace foresight
