// request_bridge: CAF requests issued from threads that are not actors (the HTTP IO threads)
// without spawning an actor per request.
//
// Why: a spawned requester per request (caf-0.17.md §6, option A) cost a spawn, a scheduling of
// the requester, its exit and a clock entry per request, which was a large share of a cached
// suggestion's CPU. Here one `actor_companion` is the sender of every request; its requests carry
// ids of our own, and the final responder (after any number of delegations) answers it directly.
// The reply is matched by id and handed to the waiting handler on the responder's thread. A timer
// actor fails requests left unanswered past the deadline; a reply arriving later is dropped.
#pragma once
#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/message.hpp>
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace foresight {

class request_bridge {
public:
  /// Called exactly once, on some thread, with the reply's content or a message holding one
  /// `caf::error` (the responder's, `request_timeout` or `request_receiver_down`).
  using reply_handler = std::function<void(caf::message&)>;

  request_bridge(caf::actor_system& sys, std::chrono::milliseconds timeout);
  ~request_bridge();
  request_bridge(const request_bridge&) = delete;
  request_bridge& operator=(const request_bridge&) = delete;

  /// Sends `msg` to `target` (any handle, typed or not) as a request; `on_reply` gets the
  /// answer or the error.
  template <class Handle>
  void request(const Handle& target, caf::message msg, reply_handler on_reply) {
    request_to(caf::actor_cast<caf::strong_actor_ptr>(target), std::move(msg),
               std::move(on_reply));
  }

  /// Fails every waiting request with `request_receiver_down` and stops the companion and the
  /// timer; later requests fail at once. Idempotent; call before the actor system shuts down.
  void close();

private:
  struct waiting {
    std::chrono::steady_clock::time_point deadline;
    reply_handler on_reply;
  };
  /// Waiting requests, spread over a few locks so the IO threads and the CAF workers rarely meet
  /// (each on cache lines of its own, or neighbours would meet anyway).
  struct alignas(64) shard {
    std::mutex mtx;
    std::unordered_map<std::uint64_t, waiting> by_id;
  };
  static constexpr std::size_t shard_count = 8;

  shard& shard_of(std::uint64_t id) { return shards_[id % shard_count]; }
  void request_to(const caf::strong_actor_ptr& target, caf::message msg, reply_handler on_reply);
  /// Removes and returns the handler waiting for `id`, if any.
  reply_handler take(std::uint64_t id);
  void on_mail(caf::mailbox_element_ptr mail);
  /// Fails the requests whose deadline has passed (the timer actor calls this).
  void expire();
  void fail_all(const caf::error& reason);

  std::chrono::milliseconds timeout_;
  std::array<shard, shard_count> shards_;
  std::atomic<std::uint64_t> next_id_{1};
  std::atomic<bool> closed_{false};
  caf::actor companion_;
  caf::strong_actor_ptr sender_; ///< the companion, as the sender of every request
  caf::actor timer_;
};

} // namespace foresight
