// Supervision, in one place: a supervisor keeps its children in fixed slots (shard i, worker i),
// each group of slots with one restart_policy (core/restart_policy). `supervise` installs the
// supervisor's down and exit handlers: a child that goes down frees its slot, the policy decides
// (restart now, after a back-off, leave empty, or escalate), and an exit stops every child first.
// docs/architecture.md ("Supervision") lists each supervisor's policy.
#pragma once
#include <caf/actor.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/system_messages.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/restart_policy.hpp"

namespace foresight {

/// How a down or exit reason counts for a restart policy.
child_exit classify_exit(const caf::error& reason);

/// A group of child slots under one policy. The supervisor's state holds it (a shared_ptr, as
/// the handlers `supervise` installs share it); a slot is empty (null) while its child is down.
class supervised_slots {
public:
  /// Spawns slot `i`'s child (the slots monitor it); returns its handle.
  using start_fn = std::function<caf::actor(std::size_t i)>;

  supervised_slots(caf::scheduled_actor* self, std::string child_name, restart_policy policy,
                   std::size_t slots, start_fn start);

  /// Called after slot i's child started (also at first), with it.
  std::function<void(std::size_t i, const caf::actor& child)> on_started;
  /// Called once slot i's child is down and the slot freed, before any restart.
  std::function<void(std::size_t i)> on_stopped;

  /// Starts every slot (once, in the supervisor's behavior function).
  void start_all();

  std::size_t size() const { return children_.size(); }
  const caf::actor& operator[](std::size_t i) const { return children_[i]; }
  const std::vector<caf::actor>& children() const { return children_; }

  /// A down message about one of this group's children (or back-off timers): frees the slot and
  /// applies the policy. Nothing if it is none of this group's; `escalate` is set when the
  /// policy gives up on the supervisor.
  bool handle_down(const caf::down_msg& dm, std::optional<caf::error>& escalate);
  /// Sends `reason` to every child (and cancels pending restarts).
  void stop_all(const caf::error& reason);

  /// Stops every child and restarts none until resume(): a role this node hands to another.
  void suspend();
  /// Starts every empty slot again and restarts by the policy from now on.
  void resume();
  bool suspended() const { return suspended_; }

private:
  void start(std::size_t i);

  caf::scheduled_actor* self_;
  std::string child_name_;
  restart_policy policy_;
  start_fn start_;
  std::vector<caf::actor> children_;
  std::vector<caf::actor> timers_; ///< a slot's pending back-off, while it waits
  std::vector<std::vector<restart_clock::time_point>> recent_;
  std::vector<bool> restart_when_down_; ///< resumed while the child was still stopping
  bool suspended_ = false;
};

/// Installs `self`'s down and exit handlers over `groups`: a child's down message goes to its
/// group; an exit message (or an escalation) calls `before_quit` if given, stops every child of
/// every group with the reason and quits with it. `other_down` (optional) gets down messages of
/// no group.
void supervise(caf::scheduled_actor* self, std::vector<std::shared_ptr<supervised_slots>> groups,
               std::function<void(const caf::error& reason)> before_quit = {},
               std::function<void(const caf::down_msg&)> other_down = {});

} // namespace foresight
