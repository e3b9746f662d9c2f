// llm_gateway: budget and switch checks in the actor; the network work in llm_client's own IO
// thread, whose callback comes back to the actor as a message.
#include "actors/llm_gateway.hpp"

#include <ctime>
#include <unordered_map>

#include "actors/messages.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace foresight {

namespace {

std::int64_t utc_day() {
  return static_cast<std::int64_t>(std::time(nullptr)) / 86400;
}

struct llm_gateway_state {
  std::unique_ptr<llm_client> client;
  std::unordered_map<std::string, std::int64_t> calls_today; ///< user -> calls on `day`
  std::int64_t day = utc_day();
  std::unordered_map<std::uint64_t, caf::typed_response_promise<llm_answer>> pending;
  std::uint64_t next_call = 0;
  /// Calls and tokens not yet stored, by user: written once a second, one write at a time, so
  /// a slow database never piles messages up, and a crash loses a second's worth at most.
  std::unordered_map<std::string, llm_usage_row> unsaved;
  bool saving = false;

  void add_unsaved(const llm_usage_row& r) {
    auto& u = unsaved[r.user_id];
    u.user_id = r.user_id;
    u.calls += r.calls;
    u.tokens_in += r.tokens_in;
    u.tokens_out += r.tokens_out;
  }
  static inline const char* name = "llm_gateway";
};

llm_gateway_actor::behavior_type
llm_gateway(llm_gateway_actor::stateful_pointer<llm_gateway_state> self, storage_actor storage,
            llm_gateway_settings settings) {
  auto& reg = metrics_registry::instance();
  auto& m_calls = reg.get_counter("foresight_llm_calls_total", "LLM calls made");
  auto& m_errors = reg.get_counter("foresight_llm_errors_total", "LLM calls without a usable reply");
  auto& m_refused = reg.get_counter("foresight_llm_refused_total",
                                    "LLM calls refused by the breaker or the concurrency cap");
  auto& m_budget = reg.get_counter("foresight_llm_budget_refusals_total",
                                   "LLM calls refused because the user's daily budget was spent");
  auto& m_in = reg.get_counter("foresight_llm_tokens_in_total", "LLM prompt tokens");
  auto& m_out = reg.get_counter("foresight_llm_tokens_out_total", "LLM completion tokens");
  auto& m_open = reg.get_gauge("foresight_llm_breaker_open", "1 while the LLM circuit is open");
  auto& m_cost = reg.get_gauge("foresight_llm_estimated_cost_microusd",
                               "estimated LLM spend since start, in millionths of a US dollar");
  auto cost_usd = [settings](std::int64_t in, std::int64_t out) {
    return double(in) / 1e6 * settings.price_in_per_mtok +
           double(out) / 1e6 * settings.price_out_per_mtok;
  };
  if (settings.configured) {
    try {
      self->state.client = std::make_unique<llm_client>(settings.client);
    } catch (const std::exception& e) {
      log_event("error", "LLM client not started", {{"error", e.what()}});
    }
    // Today's calls survive a restart, so the budget does too.
    self->request(storage, std::chrono::seconds(30), llm_usage_atom::value)
      .await(
        [=](std::vector<llm_usage_row>& rows) {
          for (auto& r : rows)
            self->state.calls_today[r.user_id] = r.calls;
        },
        [=](caf::error&) { /* start with a fresh budget */ });
  }
  self->delayed_send(self, std::chrono::seconds(1), flush_usage_atom::value);
  auto no_call = [](std::string why) {
    llm_answer a;
    a.error = std::move(why);
    return a;
  };
  return {
    [=, &m_budget](llm_atom, llm_call& call) -> caf::result<llm_answer> {
      auto& st = self->state;
      if (!st.client)
        return no_call(settings.configured ? "unavailable" : "not configured");
      if (!settings.enabled)
        return no_call("disabled");
      if (auto today = utc_day(); today != st.day) {
        st.day = today;
        st.calls_today.clear();
      }
      auto& used = st.calls_today[call.user_id];
      if (used >= settings.daily_calls_per_user) {
        m_budget.add(1);
        return no_call("budget");
      }
      ++used; // reserved now, so concurrent calls cannot overdraw; returned if refused
      auto id = st.next_call++;
      st.pending.emplace(id, self->make_response_promise<llm_answer>());
      llm_request req;
      req.system_prompt = std::move(call.system_prompt);
      req.user_prompt = std::move(call.user_prompt);
      req.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(call.deadline_ms);
      auto me = caf::actor_cast<llm_gateway_actor>(self);
      auto user = call.user_id;
      st.client->complete(std::move(req), [me, id, user](llm_reply r) {
        llm_answer a;
        a.ok = r.ok;
        a.content = std::move(r.content);
        a.error = std::move(r.error);
        // From the client's IO thread: back into the actor as a message.
        caf::anon_send(me, llm_done_atom::value, id, std::move(a), user, r.refused,
                       r.prompt_tokens, r.completion_tokens);
      });
      return st.pending.at(id);
    },
    [=, &m_calls, &m_errors, &m_refused, &m_in, &m_out, &m_open,
     &m_cost](llm_done_atom, std::uint64_t id, llm_answer& a, const std::string& user,
              bool refused, std::int64_t tokens_in, std::int64_t tokens_out) {
      auto& st = self->state;
      auto i = st.pending.find(id);
      if (i == st.pending.end())
        return;
      // /metrics mirrors the client's own counters, so it agrees with the stats route.
      auto k = st.client->counters();
      m_calls.set(k.calls);
      m_errors.set(k.errors);
      m_refused.set(k.refused);
      m_in.set(k.tokens_in);
      m_out.set(k.tokens_out);
      m_open.set(k.breaker == "open" ? 1 : 0);
      m_cost.set(static_cast<std::int64_t>(cost_usd(k.tokens_in, k.tokens_out) * 1e6));
      if (refused) {
        // Never reached the LLM: give the reserved call back.
        if (auto u = st.calls_today.find(user); u != st.calls_today.end() && u->second > 0)
          --u->second;
      } else {
        st.add_unsaved({user, 1, tokens_in, tokens_out});
      }
      i->second.deliver(std::move(a));
      st.pending.erase(i);
    },
    [=](flush_usage_atom a) {
      self->delayed_send(self, std::chrono::seconds(1), a);
      auto& st = self->state;
      if (st.saving || st.unsaved.empty())
        return;
      std::vector<llm_usage_row> rows;
      for (auto& kv : st.unsaved)
        rows.push_back(std::move(kv.second));
      st.unsaved.clear();
      st.saving = true;
      self->request(storage, std::chrono::seconds(30), llm_spent_atom::value, rows)
        .then([=](bool) { self->state.saving = false; },
              [=](caf::error& err) {
                // Kept for the next second's write: the budget must survive a restart.
                auto& s = self->state;
                s.saving = false;
                for (auto& r : rows)
                  s.add_unsaved(r);
                log_event("warn", "LLM usage not stored; retrying",
                          {{"error", to_api_error(err).message}});
              });
    },
    [=, &m_budget](stats_atom) {
      suggestion_service_stats s;
      s.llm_configured = settings.configured;
      s.llm_enabled = settings.configured && settings.enabled;
      s.llm_model = settings.client.model;
      s.llm_daily_calls_per_user = settings.daily_calls_per_user;
      s.llm_budget_refusals = m_budget.value.load(); // one gateway per process
      if (auto& c = self->state.client) {
        auto k = c->counters();
        s.llm_calls = k.calls;
        s.llm_successes = k.successes;
        s.llm_errors = k.errors;
        s.llm_refused = k.refused;
        s.llm_retries = k.retries;
        s.llm_tokens_in = k.tokens_in;
        s.llm_tokens_out = k.tokens_out;
        s.llm_breaker = k.breaker;
        s.llm_estimated_cost_usd = cost_usd(k.tokens_in, k.tokens_out);
      }
      return s;
    },
  };
}

} // namespace

llm_gateway_actor spawn_llm_gateway(caf::actor_system& sys, storage_actor storage,
                                    const llm_gateway_settings& settings) {
  return sys.spawn(llm_gateway, std::move(storage), settings);
}

} // namespace foresight
