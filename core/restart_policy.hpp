// restart_policy: what a supervisor does when a child in one of its slots ends. The decision is
// pure (the child's way of ending, the slot's recent restarts, the time): actors/supervision
// applies it to CAF children. docs/architecture.md ("Supervision") lists each supervisor's policy.
#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace foresight {

using restart_clock = std::chrono::steady_clock;

/// How a child ended, as far as restarting goes.
enum class child_exit {
  normal,   ///< it finished its work (exit_reason::normal)
  shutdown, ///< it was told to stop (user_shutdown): never restarted
  failure,  ///< anything else: an exception, a kill, an error
};

/// What a supervisor does once a slot has restarted `max_restarts` times within `window`.
enum class when_exceeded {
  stop_slot, ///< leave the slot empty; the supervisor and its other children go on
  escalate,  ///< stop every child and the supervisor itself, with the child's exit reason
};

struct restart_policy {
  bool restart_on_failure = true;  ///< restart a child that failed
  bool restart_on_normal = false;  ///< restart a child that finished normally, too
  int max_restarts = 0;            ///< restarts allowed per slot within `window`; 0: no limit
  std::chrono::milliseconds window{0}; ///< 0: since the supervisor started
  /// Wait before a restart: `backoff` for the first one in the window, doubled for each further
  /// one, at most `max_backoff` (when that is larger). 0: restart at once.
  std::chrono::milliseconds backoff{0};
  std::chrono::milliseconds max_backoff{0};
  when_exceeded exceeded = when_exceeded::escalate;

  /// Restart whatever way the child ended, but a shutdown.
  static restart_policy always();
  /// Restart a child that failed; one that finished normally stays gone.
  static restart_policy on_failure();
  /// Never restart (children made on demand: the next use makes a new one).
  static restart_policy never();

  restart_policy& at_most(int restarts, std::chrono::milliseconds within, when_exceeded then);
  restart_policy& backing_off(std::chrono::milliseconds first, std::chrono::milliseconds most);
};

enum class restart_action {
  none,      ///< the slot stays empty (not restarted by this policy)
  restart,   ///< start the slot again after `delay`
  stop_slot, ///< too many restarts: the slot stays empty
  escalate,  ///< too many restarts: the supervisor stops
};

struct restart_decision {
  restart_action action = restart_action::none;
  std::chrono::milliseconds delay{0};
};

/// The decision for a slot whose child ended `how` at `now`. `recent` holds the slot's earlier
/// restarts (oldest first); restarts that left the window are dropped from it and a restart
/// decided here is added.
restart_decision decide_restart(const restart_policy& policy, child_exit how,
                                std::vector<restart_clock::time_point>& recent,
                                restart_clock::time_point now);

/// One line for logs and docs, e.g. "on failure, at most 5 in 60s then escalate".
std::string describe(const restart_policy& policy);

} // namespace foresight
