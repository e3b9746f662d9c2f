#include "core/restart_policy.hpp"

#include <algorithm>

namespace foresight {

restart_policy restart_policy::always() {
  restart_policy p;
  p.restart_on_normal = true;
  return p;
}

restart_policy restart_policy::on_failure() { return restart_policy{}; }

restart_policy restart_policy::never() {
  restart_policy p;
  p.restart_on_failure = false;
  return p;
}

restart_policy& restart_policy::at_most(int restarts, std::chrono::milliseconds within,
                                        when_exceeded then) {
  max_restarts = restarts;
  window = within;
  exceeded = then;
  return *this;
}

restart_policy& restart_policy::backing_off(std::chrono::milliseconds first,
                                            std::chrono::milliseconds most) {
  backoff = first;
  max_backoff = most;
  return *this;
}

restart_decision decide_restart(const restart_policy& policy, child_exit how,
                                std::vector<restart_clock::time_point>& recent,
                                restart_clock::time_point now) {
  restart_decision d;
  bool wanted = (how == child_exit::failure && policy.restart_on_failure) ||
                (how == child_exit::normal && policy.restart_on_normal);
  if (!wanted)
    return d;
  if (policy.window.count() > 0) {
    auto since = now - policy.window;
    recent.erase(std::remove_if(recent.begin(), recent.end(),
                                [&](restart_clock::time_point t) { return t <= since; }),
                 recent.end());
  }
  if (policy.max_restarts > 0 && recent.size() >= static_cast<std::size_t>(policy.max_restarts)) {
    d.action = policy.exceeded == when_exceeded::escalate ? restart_action::escalate
                                                          : restart_action::stop_slot;
    return d;
  }
  if (policy.backoff.count() > 0) {
    auto cap = std::max(policy.backoff, policy.max_backoff);
    auto delay = policy.backoff;
    for (std::size_t k = 0; k < recent.size() && delay < cap; ++k)
      delay *= 2;
    d.delay = std::min(delay, cap);
  }
  d.action = restart_action::restart;
  recent.push_back(now);
  return d;
}

std::string describe(const restart_policy& policy) {
  std::string s;
  if (!policy.restart_on_failure && !policy.restart_on_normal)
    return "never restart";
  if (policy.restart_on_normal)
    s = policy.restart_on_failure ? "restart on any end but shutdown" : "restart on normal end";
  else
    s = "restart on failure";
  if (policy.backoff.count() > 0)
    s += ", back-off " + std::to_string(policy.backoff.count()) + "ms up to " +
         std::to_string(std::max(policy.backoff, policy.max_backoff).count()) + "ms";
  if (policy.max_restarts > 0) {
    s += ", at most " + std::to_string(policy.max_restarts);
    if (policy.window.count() > 0)
      s += " in " + std::to_string(policy.window.count()) + "ms";
    s += policy.exceeded == when_exceeded::escalate ? " then escalate" : " then stop the slot";
  }
  return s;
}

} // namespace foresight
