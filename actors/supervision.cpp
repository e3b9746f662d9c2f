#include "actors/supervision.hpp"

#include <algorithm>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>

#include "core/log.hpp"

namespace foresight {

namespace {

using backoff_atom = caf::atom_constant<caf::atom("backoff")>;

/// A back-off: ends (normally) after `delay`; its supervisor monitors it and restarts the slot
/// then.
caf::behavior backoff_timer(caf::event_based_actor* self, std::chrono::milliseconds delay) {
  self->delayed_send(self, delay, backoff_atom::value);
  return {
    [=](backoff_atom) { self->quit(); },
  };
}

} // namespace

child_exit classify_exit(const caf::error& reason) {
  if (reason == caf::exit_reason::user_shutdown)
    return child_exit::shutdown;
  if (!reason || reason == caf::exit_reason::normal)
    return child_exit::normal;
  return child_exit::failure;
}

supervised_slots::supervised_slots(caf::scheduled_actor* self, std::string child_name,
                                   restart_policy policy, std::size_t slots, start_fn start)
    : self_(self), child_name_(std::move(child_name)), policy_(policy), start_(std::move(start)),
      children_(slots), timers_(slots), recent_(slots), restart_when_down_(slots, false) {}

void supervised_slots::start_all() {
  if (suspended_)
    return;
  for (std::size_t i = 0; i < children_.size(); ++i)
    start(i);
}

void supervised_slots::start(std::size_t i) {
  auto child = start_(i);
  children_[i] = child;
  self_->monitor(child);
  if (on_started)
    on_started(i, child);
}

bool supervised_slots::handle_down(const caf::down_msg& dm, std::optional<caf::error>& escalate) {
  for (std::size_t i = 0; i < timers_.size(); ++i)
    if (timers_[i] && timers_[i].address() == dm.source) {
      timers_[i] = nullptr;
      if (!children_[i] && !suspended_)
        start(i);
      return true;
    }
  std::size_t i = 0;
  while (i < children_.size() && !(children_[i] && children_[i].address() == dm.source))
    ++i;
  if (i == children_.size())
    return false;
  children_[i] = nullptr;
  if (on_stopped)
    on_stopped(i);
  if (suspended_)
    return true;
  if (restart_when_down_[i]) { // resumed while this child was still stopping
    restart_when_down_[i] = false;
    start(i);
    return true;
  }
  auto d = decide_restart(policy_, classify_exit(dm.reason), recent_[i], restart_clock::now());
  std::string slot = std::to_string(i);
  switch (d.action) {
    case restart_action::none:
      break;
    case restart_action::restart:
      if (d.delay.count() == 0) {
        log_event("warn", child_name_ + " stopped; restarting it", {{"slot", slot, true}});
        start(i);
      } else {
        log_event("warn", child_name_ + " stopped; restarting it after a back-off",
                  {{"slot", slot, true}, {"delay_ms", std::to_string(d.delay.count()), true}});
        timers_[i] = self_->spawn(backoff_timer, d.delay);
        self_->monitor(timers_[i]);
      }
      break;
    case restart_action::stop_slot:
      log_event("error", child_name_ + " stopped too often; leaving its slot empty",
                {{"slot", slot, true}, {"policy", describe(policy_)}});
      break;
    case restart_action::escalate:
      log_event("error", child_name_ + " stopped too often; stopping its supervisor",
                {{"slot", slot, true}, {"policy", describe(policy_)}});
      escalate = dm.reason ? dm.reason : caf::error{caf::exit_reason::unhandled_exception};
      break;
  }
  return true;
}

void supervised_slots::stop_all(const caf::error& reason) {
  for (auto& t : timers_)
    if (t) {
      self_->send_exit(t, caf::exit_reason::user_shutdown);
      t = nullptr;
    }
  for (auto& c : children_)
    if (c)
      self_->send_exit(c, reason);
}

void supervised_slots::suspend() {
  suspended_ = true;
  std::fill(restart_when_down_.begin(), restart_when_down_.end(), false);
  stop_all(caf::exit_reason::user_shutdown);
}

void supervised_slots::resume() {
  if (!suspended_)
    return;
  suspended_ = false;
  for (std::size_t i = 0; i < children_.size(); ++i) {
    if (children_[i])
      restart_when_down_[i] = true;
    else if (!timers_[i])
      start(i);
  }
}

void supervise(caf::scheduled_actor* self, std::vector<std::shared_ptr<supervised_slots>> groups,
               std::function<void(const caf::error& reason)> before_quit,
               std::function<void(const caf::down_msg&)> other_down) {
  auto stop = [=](const caf::error& reason) {
    if (before_quit)
      before_quit(reason);
    for (auto& g : groups)
      g->stop_all(reason);
    self->quit(reason);
  };
  self->set_down_handler([=](caf::down_msg& dm) {
    std::optional<caf::error> escalate;
    for (auto& g : groups)
      if (g->handle_down(dm, escalate)) {
        if (escalate)
          stop(*escalate);
        return;
      }
    if (other_down)
      other_down(dm);
  });
  self->set_exit_handler([=](caf::exit_msg& em) { stop(em.reason); });
}

} // namespace foresight
