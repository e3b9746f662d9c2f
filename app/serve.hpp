// `foresightd serve`: the store, the actor system, the handlers and the HTTP server, until
// SIGINT or SIGTERM.
#pragma once
#include "core/config.hpp"

namespace foresight::cli {

/// The exit status: 0 after a clean shutdown, 2 for a configuration refused before starting.
int serve(const config& cfg);

} // namespace foresight::cli
