// The LLM gateway: the one actor that talks to the LLM. It owns the HTTP client (deadlines,
// retries, breaker, concurrency cap), enforces the global switch and each user's daily budget,
// records usage, and counts calls, tokens, errors and cost for the stats.
#pragma once
#include <caf/fwd.hpp>

#include "llm/llm_client.hpp"

namespace foresight {

struct llm_gateway_settings {
  bool configured = false; ///< a base URL was given
  bool enabled = true;     ///< the global switch
  llm_settings client;
  int daily_calls_per_user = 200;
  double price_in_per_mtok = 0.15;
  double price_out_per_mtok = 0.60;
};

/// Messages: `(llm_atom, llm_call)` answered with an `llm_answer` (never an error: a refusal or
/// failure is an answer with `ok == false`, so the caller falls back); `(stats_atom)` answered
/// with the LLM half of `suggestion_service_stats`.
caf::actor spawn_llm_gateway(caf::actor_system& sys, caf::actor storage,
                             const llm_gateway_settings& settings);

} // namespace foresight
