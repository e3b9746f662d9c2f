// The LLM gateway: the one actor that talks to the LLM. It owns the HTTP client (deadlines,
// retries, breaker, concurrency cap), enforces the global switch and each user's daily budget,
// records usage, and counts calls, tokens, errors and cost for the stats.
#pragma once
#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/messages.hpp"
#include "actors/storage_pool.hpp"
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

/// The gateway's protocol: `llm_atom` is answered with an `llm_answer` (never an error: a
/// refusal or failure is an answer with `ok == false`, so the caller falls back); `stats_atom`
/// with the LLM half of `suggestion_service_stats`. `llm_done_atom` (id, answer, user, refused,
/// tokens in, tokens out) comes from the client's thread, `flush_usage_atom` from its own timer.
using llm_gateway_actor = caf::typed_actor<
  caf::replies_to<llm_atom, llm_call>::with<llm_answer>,
  caf::replies_to<stats_atom>::with<suggestion_service_stats>,
  caf::reacts_to<llm_done_atom, std::uint64_t, llm_answer, std::string, bool, std::int64_t,
                 std::int64_t>,
  caf::reacts_to<flush_usage_atom>>;

llm_gateway_actor spawn_llm_gateway(caf::actor_system& sys, storage_actor storage,
                                    const llm_gateway_settings& settings);

} // namespace foresight
