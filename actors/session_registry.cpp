// session_registry: one shard of the live sessions. Only a user's shard forwards to the user's
// session, so a session it has retired (erased, then sent `stop`) handles everything forwarded
// before the stop. The shard also decides when a session is idle: it sees every request anyway,
// and a timeout inside each session would cost CAF's clock thread a wake-up for every message.
#include "actors/session_registry.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <unordered_map>

#include "actors/crowd.hpp"
#include "actors/group_subscription.hpp"
#include "actors/messages.hpp"
#include "actors/session_actor.hpp"
#include "actors/supervision.hpp"
#include "core/rendezvous.hpp"

namespace foresight {

namespace {

struct live_session {
  session_actor actor;
  std::uint64_t serial = 0; ///< stamped on the rows it logs (session_settings::serial)
  caf::actor_clock::time_point last_used; ///< the actor clock: the test clock under test_coordinator
};

struct session_registry_state {
  std::unordered_map<std::string, live_session> sessions;
  /// In a cluster, the live set and this node's id from the last placement change (empty: a
  /// single node, which owns everyone).
  std::vector<std::string> live;
  std::string self_id;
  std::mt19937_64 serials{std::random_device{}()};
  static inline const char* name = "session_registry";
};

session_registry_actor::behavior_type
session_registry(session_registry_actor::stateful_pointer<session_registry_state> self,
                 session_peers peers, session_settings defaults) {
  peers.registry = caf::actor_cast<session_registry_actor>(self);
  auto idle = std::chrono::milliseconds(defaults.idle_timeout_ms);
  // A session is retired between one and 1.1 idle timeouts after its last request.
  auto sweep_every = std::clamp<std::chrono::milliseconds>(idle / 10, std::chrono::milliseconds(10),
                                                           std::chrono::seconds(5));
  self->send(self, session_sweep_atom::value);
  // A registry, not a pool: sessions are made on first use and never restarted (the next
  // request makes a new one), so no slot group; a session that goes is forgotten.
  supervise(
    self, {},
    [=](const caf::error& reason) {
      for (auto& kv : self->state.sessions)
        self->send_exit(kv.second.actor, reason);
      self->state.sessions.clear();
    },
    [=](const caf::down_msg& dm) {
      auto& s = self->state.sessions;
      for (auto i = s.begin(); i != s.end(); ++i)
        if (i->second.actor.address() == dm.source) {
          s.erase(i);
          return;
        }
    });
  // The session answering `(for_user_atom, user_id, request)`, made on the user's first request.
  auto session_of = [=](const std::string& user_id) -> caf::expected<session_actor> {
    // Sent by a node whose view is older than ours: a session made here now would outlive the
    // placement and could serve stale state if the user came back later. The sender retries.
    if (!self->state.self_id.empty() && !self->state.sessions.count(user_id) &&
        rendezvous_owner(user_id, self->state.live) != self->state.self_id)
      return to_caf_error(make_error(error_code::unavailable,
                                     "the cluster is moving this user to another node; retry"));
    auto& session = self->state.sessions[user_id];
    if (!session.actor) {
      auto settings = defaults;
      settings.user_id = user_id;
      // Random, not counted: rows logged by a session on another node (before a placement
      // change) must never match one made here.
      settings.serial = self->state.serials() | 1;
      session.serial = settings.serial;
      session.actor = self->spawn<caf::monitored>(user_session, settings, peers);
    }
    session.last_used = self->clock().now();
    return session.actor;
  };
  // Committed activities reach the live sessions of their users: imports, and rows an earlier
  // session of the user logged. Rows the live session logged itself it learned at their ack;
  // passing them back would cost a message per row. Every shard hears all and passes on its own
  // users'.
  join_group(self, learned_activities_group(self->system()));
  return forward_keyed_messages<session_registry_actor, for_user_atom, std::string,
                                session_requests>(
    self, session_of,
    [=](learned_atom a, const learn_batch& batch) {
      std::unordered_map<std::string, learn_batch> per_user;
      auto& sessions = self->state.sessions;
      for (auto& item : batch.items)
        if (auto s = sessions.find(item.user_id);
            s != sessions.end() && item.session_serial != s->second.serial)
          per_user[item.user_id].items.push_back(item);
      for (auto& [user, b] : per_user)
        self->send(self->state.sessions[user].actor, a, std::move(b));
    },
    // A session that could not load its user asks to go, so the next request tries afresh.
    [=](idle_atom, const std::string& user_id) {
      auto& s = self->state.sessions;
      auto i = s.find(user_id);
      // A late notice from an already replaced session must not retire its successor.
      if (i == s.end() ||
          i->second.actor.address() != caf::actor_cast<caf::actor_addr>(self->current_sender()))
        return;
      self->send(i->second.actor, stop_atom::value);
      s.erase(i);
    },
    // An erased user: the session's history goes with it; the next request starts afresh.
    [=](forget_atom, const std::string& user_id) {
      auto& s = self->state.sessions;
      if (auto i = s.find(user_id); i != s.end()) {
        self->send(i->second.actor, stop_atom::value);
        s.erase(i);
      }
    },
    // The cluster's live set changed: sessions of users now placed on another node go (their
    // new owner loads them from PostgreSQL), so no stale copy is left behind to come back to.
    [=](placement_changed_atom, const std::vector<std::string>& live, const std::string& self_id) {
      self->state.live = live;
      self->state.self_id = self_id;
      auto& s = self->state.sessions;
      for (auto i = s.begin(); i != s.end();) {
        if (rendezvous_owner(i->first, live) != self_id) {
          self->send(i->second.actor, stop_atom::value);
          i = s.erase(i);
        } else {
          ++i;
        }
      }
    },
    [=](session_sweep_atom a) {
      auto now = self->clock().now();
      auto& s = self->state.sessions;
      for (auto i = s.begin(); i != s.end();) {
        if (now - i->second.last_used >= idle) {
          self->send(i->second.actor, stop_atom::value);
          i = s.erase(i);
        } else {
          ++i;
        }
      }
      self->delayed_send(self, sweep_every, a);
    });
}

} // namespace

session_registry_actor spawn_session_registry(caf::actor_system& sys, const session_peers& peers,
                                  const session_settings& defaults) {
  return sys.spawn(session_registry, peers, defaults);
}

} // namespace foresight
