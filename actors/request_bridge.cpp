// request_bridge: one companion actor as the sender of every request, replies matched by id.
#include "actors/request_bridge.hpp"

#include <caf/actor_companion.hpp>
#include <caf/all.hpp>
#include <vector>

namespace foresight {

namespace {

using expire_atom = caf::atom_constant<caf::atom("expire")>;

caf::message error_message(caf::sec reason) {
  return caf::make_message(caf::make_error(reason));
}

} // namespace

request_bridge::request_bridge(caf::actor_system& sys, std::chrono::milliseconds timeout)
  : timeout_(timeout) {
  // Hidden: once a request went to another node, the middleman counts the companion among the
  // running actors, and 0.17 has no way to stop a companion, so shutdown would wait forever.
  companion_ = sys.spawn<caf::actor_companion, caf::hidden>();
  auto* comp = static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(companion_));
  comp->on_enqueue([this](caf::mailbox_element_ptr mail) { on_mail(std::move(mail)); });
  sender_ = caf::actor_cast<caf::strong_actor_ptr>(companion_);
  // Deadlines are checked a few times per timeout: a late answer is a 504 within about a
  // quarter of the timeout (at most 100 ms) after it is due, with no clock entry per request.
  auto period = std::clamp(timeout / 4, std::chrono::milliseconds(10),
                           std::chrono::milliseconds(100));
  timer_ = sys.spawn([this, period](caf::event_based_actor* self) -> caf::behavior {
    self->send(self, expire_atom::value);
    return {
      [=](expire_atom a) {
        expire();
        self->delayed_send(self, period, a);
      },
    };
  });
}

request_bridge::~request_bridge() {
  close();
}

void request_bridge::request_to(const caf::strong_actor_ptr& target, caf::message msg,
                                reply_handler on_reply) {
  if (closed_ || !target) {
    auto err = error_message(caf::sec::request_receiver_down);
    on_reply(err);
    return;
  }
  // The low 60 bits are the request number; the category bits mark a normal request.
  auto id = next_id_.fetch_add(1, std::memory_order_relaxed) & caf::message_id::request_id_mask;
  {
    auto& s = shard_of(id);
    std::lock_guard<std::mutex> lock{s.mtx};
    s.by_id.emplace(id, waiting{std::chrono::steady_clock::now() + timeout_, std::move(on_reply)});
  }
  if (closed_) { // close() ran meanwhile and may have missed this one
    if (auto handler = take(id)) {
      auto err = error_message(caf::sec::request_receiver_down);
      handler(err);
    }
    return;
  }
  // Not under the lock: a dead target answers at once, on this thread, through on_mail.
  auto mid = caf::make_message_id(caf::normal_message_priority_constant{}, id);
  target->enqueue(caf::make_mailbox_element(sender_, mid, {}, std::move(msg)), nullptr);
}

request_bridge::reply_handler request_bridge::take(std::uint64_t id) {
  auto& s = shard_of(id);
  std::lock_guard<std::mutex> lock{s.mtx};
  auto i = s.by_id.find(id);
  if (i == s.by_id.end())
    return {};
  auto handler = std::move(i->second.on_reply);
  s.by_id.erase(i);
  return handler;
}

void request_bridge::on_mail(caf::mailbox_element_ptr mail) {
  // Only answers to our requests matter; anything else (an exit message) is dropped.
  if (!mail || !mail->mid.is_response())
    return;
  // Already timed out (or closed) when it is not found: the late answer is dropped.
  if (auto handler = take(mail->mid.request_id().integer_value())) {
    auto content = mail->move_content_to_message();
    handler(content);
  }
}

void request_bridge::expire() {
  auto now = std::chrono::steady_clock::now();
  std::vector<reply_handler> overdue;
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock{s.mtx};
    for (auto i = s.by_id.begin(); i != s.by_id.end();) {
      if (i->second.deadline <= now) {
        overdue.push_back(std::move(i->second.on_reply));
        i = s.by_id.erase(i);
      } else {
        ++i;
      }
    }
  }
  for (auto& h : overdue) {
    auto err = error_message(caf::sec::request_timeout);
    h(err);
  }
}

void request_bridge::fail_all(const caf::error& reason) {
  std::vector<reply_handler> all;
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock{s.mtx};
    for (auto& kv : s.by_id)
      all.push_back(std::move(kv.second.on_reply));
    s.by_id.clear();
  }
  for (auto& h : all) {
    auto err = caf::make_message(reason);
    h(err);
  }
}

void request_bridge::close() {
  if (closed_.exchange(true))
    return;
  caf::anon_send_exit(timer_, caf::exit_reason::user_shutdown);
  timer_ = nullptr;
  fail_all(caf::make_error(caf::sec::request_receiver_down));
  auto* comp = static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(companion_));
  // 0.17.6 ships no `disconnect`; the companion is hidden (not counted among the running
  // actors), so detaching the handler and dropping our handles is all it takes.
  comp->on_enqueue({});
  sender_ = nullptr;
  companion_ = nullptr;
}

} // namespace foresight
