// preference_queue: a session's preference operations, one at a time, as a state machine. The
// session is the only writer of its user's preferences, so a read-modify-write must not overlap
// another; the first operation loads them, and a failed load is handed to that operation and
// tried again by the next. Pure: the caller loads, runs each operation and calls `done`.
#pragma once
#include <deque>
#include <optional>
#include <utility>

namespace foresight {

template <class Prefs, class Op>
class preference_queue {
public:
  /// The operation to run now, and whether the preferences must be loaded first.
  struct step {
    Op op;
    bool load_first = false;
  };

  void push(Op op) { waiting_.push_back(std::move(op)); }

  /// The next operation, unless one is running or none waits; it runs until `done`.
  std::optional<step> next() {
    if (running_ || waiting_.empty())
      return std::nullopt;
    running_ = true;
    step s{std::move(waiting_.front()), !loaded_};
    waiting_.pop_front();
    return s;
  }

  /// The preferences as loaded or as stored by the running operation.
  void set(Prefs prefs) {
    prefs_ = std::move(prefs);
    loaded_ = true;
  }

  /// The running operation has finished; `next` may hand out another.
  void done() { running_ = false; }

  const Prefs& prefs() const { return prefs_; }
  bool loaded() const { return loaded_; }
  bool running() const { return running_; }
  std::size_t waiting() const { return waiting_.size(); }

private:
  Prefs prefs_{};
  bool loaded_ = false;
  bool running_ = false;
  std::deque<Op> waiting_;
};

} // namespace foresight
