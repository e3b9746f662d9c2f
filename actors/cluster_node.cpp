// cluster_node: membership over the CAF middleman. Connections are made by whichever side gets
// there first: a peer's hello hands us its node actor, and our own connect attempt is skipped
// while we hold one. Down messages (a closed connection, a killed process) mark a peer dead at
// once; a frozen peer is caught by the heartbeat limit.
#include "actors/cluster_node.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <chrono>
#include <optional>

#include "core/log.hpp"
#include "core/rendezvous.hpp"

namespace foresight {

std::shared_ptr<const cluster_view> cluster_view_cell::get() const {
  return std::atomic_load(&view_);
}

void cluster_view_cell::set(std::shared_ptr<const cluster_view> v) {
  std::atomic_store(&view_, std::move(v));
}

void register_cluster_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<cluster_node_actor>("foresight::cluster_node_actor");
  cfg.add_message_type<node_services>("foresight::node_services");
}

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

struct node_state {
  std::optional<cluster_membership> members;
  std::unordered_map<std::string, cluster_node_actor> handles; ///< connected peers
  std::unordered_map<std::string, node_services> services;     ///< theirs, from their hellos
  std::unordered_map<std::string, std::int64_t> sessions;      ///< theirs, from their beats
  std::unordered_map<std::string, std::string> host_choices;   ///< theirs, from their beats
  std::string sent_choice; ///< ours, as last sent
  std::int64_t started_ms = 0;
  bool settled = false;
  std::unordered_map<std::string, bool> connecting;
  /// Per peer, when to try connecting again and the back-off after a failure (doubling to 5 s):
  /// a peer with a wrong certificate is not worth a handshake at heartbeat pace.
  std::unordered_map<std::string, std::pair<std::int64_t, int>> retry;
  static inline const char* name = "cluster_node";
};

using node_pointer = cluster_node_actor::stateful_pointer<node_state>;

cluster_node_actor::behavior_type node_behavior(node_pointer self, cluster_settings settings,
                                                std::shared_ptr<cluster_view_cell> cell) {
  self->state.members.emplace(settings.node_id, settings.peers, settings.dead_after_ms);
  self->state.started_ms = now_ms();
  auto own = settings.services;
  own.node_id = settings.node_id;
  // Our choice of learner host, whether or not the others agree yet (empty without quorum).
  auto my_choice = [=] {
    auto& st = self->state;
    return st.settled && st.members->has_quorum()
             ? rendezvous_owner(learner_host_key, st.members->live())
             : std::string{};
  };
  auto beat = [=] {
    auto& st = self->state;
    std::int64_t sessions = settings.sessions ? settings.sessions() : 0;
    st.sent_choice = my_choice();
    for (auto& [id, h] : st.handles)
      self->send(h, cluster_beat_atom::value, settings.node_id, sessions, st.sent_choice);
  };
  auto publish_view = [=] {
    auto& st = self->state;
    if (my_choice() != st.sent_choice)
      beat(); // the others learn a changed choice now, not at the next tick
    auto v = std::make_shared<cluster_view>();
    v->self = settings.node_id;
    v->epoch = st.members->epoch();
    v->live = st.members->live();
    v->services.emplace(settings.node_id, own);
    for (auto& id : v->live) {
      if (auto h = st.handles.find(id); h != st.handles.end())
        v->peers.emplace(id, h->second);
      if (auto s = st.services.find(id); s != st.services.end())
        v->services.emplace(id, s->second);
    }
    v->settled = st.settled;
    v->quorum = st.members->has_quorum();
    if (v->settled && v->quorum)
      v->learner_host = agreed_owner(learner_host_key, v->live, settings.node_id, st.host_choices);
    std::shared_ptr<const cluster_view> published = std::move(v);
    cell->set(published);
    if (settings.on_view)
      settings.on_view(published);
  };
  // Settled once every peer answered, or once a silent one would have been declared dead.
  auto settle = [=] {
    auto& st = self->state;
    if (st.settled)
      return false;
    st.settled = st.members->live().size() == st.members->members().size() ||
                 now_ms() - st.started_ms >= settings.dead_after_ms;
    return st.settled;
  };
  // What a peer told us goes with its connection.
  auto drop = [=](const std::string& id) {
    auto& st = self->state;
    st.handles.erase(id);
    st.services.erase(id);
    st.sessions.erase(id);
    st.host_choices.erase(id);
  };
  auto forget = [=](const std::string& id) {
    auto& st = self->state;
    if (auto h = st.handles.find(id); h != st.handles.end())
      self->demonitor(h->second.address());
    drop(id);
  };
  auto adopt = [=](const std::string& id, cluster_node_actor h, node_services services) {
    auto& st = self->state;
    // A peer that restarted before its old link was seen closing has new handles: placement
    // must use them at once, not after the old link's down message.
    auto known = st.services.find(id);
    bool moved = known != st.services.end() &&
                 (known->second.writer != services.writer ||
                  known->second.registry_shards != services.registry_shards);
    st.services[id] = std::move(services);
    if (auto old = st.handles.find(id); moved && old != st.handles.end()) {
      self->demonitor(old->second.address());
      st.handles.erase(old);
    }
    if (st.handles.count(id) == 0) {
      self->monitor(h);
      st.handles.emplace(id, std::move(h));
    }
    settle();
    if (st.members->heard_from(id, now_ms())) {
      log_event("info", "cluster peer joined", {{"self", settings.node_id}, {"node", id}});
      publish_view();
    } else if (moved) {
      publish_view();
    }
  };
  auto connect = [=](const cluster_member& peer) {
    auto& st = self->state;
    if (st.handles.count(peer.id) || st.connecting[peer.id])
      return;
    auto colon = peer.address.rfind(':');
    auto host = peer.address.substr(0, colon);
    auto port = static_cast<std::uint16_t>(std::stoi(peer.address.substr(colon + 1)));
    auto mm = settings.tls ? self->system().openssl_manager().actor_handle()
                           : self->system().middleman().actor_handle();
    st.connecting[peer.id] = true;
    auto id = peer.id;
    auto timeout = std::chrono::milliseconds(std::max(500, settings.dead_after_ms));
    auto done = [=] { self->state.connecting[id] = false; };
    auto failed = [=] {
      auto& r = self->state.retry[id];
      r.second = std::min(5000, std::max(settings.heartbeat_ms, r.second * 2));
      r.first = now_ms() + r.second;
      done();
    };
    self->request(mm, timeout, caf::connect_atom::value, host, port)
      .then(
        [=](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
          if (!ptr)
            return failed();
          auto h = caf::actor_cast<cluster_node_actor>(std::move(ptr));
          self->request(h, timeout, cluster_hello_atom::value, own)
            .then(
              [=](node_services& theirs) {
                done();
                if (theirs.node_id != id) {
                  log_event("warn", "cluster peer answered with another node id",
                            {{"expected", id}, {"answered", theirs.node_id}});
                  return failed();
                }
                self->state.retry.erase(id);
                adopt(id, h, std::move(theirs));
              },
              [=](const caf::error&) { failed(); });
        },
        [=](const caf::error&) { failed(); });
  };
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto& [id, h] : st.handles)
      if (h.address() == dm.source) {
        auto gone = id;
        drop(gone);
        if (st.members->lost(gone)) {
          log_event("warn", "cluster peer lost", {{"self", settings.node_id}, {"node", gone}});
          publish_view();
        }
        return;
      }
  });
  auto status_now = [=] {
    auto& m = *self->state.members;
    cluster_report out; // the learner host is the caller's to add, from the view
    out.node_id = m.self();
    out.clustered = true;
    out.epoch = m.epoch();
    auto now = now_ms();
    for (auto& x : m.members()) {
      std::int64_t sessions = -1;
      if (x.local && settings.sessions)
        sessions = settings.sessions();
      else if (auto s = self->state.sessions.find(x.id); s != self->state.sessions.end())
        sessions = s->second;
      out.members.push_back({x.id, x.address, to_string(x.state),
                             x.local || x.last_heard_ms < 0 ? -1 : now - x.last_heard_ms,
                             x.local, sessions});
    }
    return out;
  };
  settle(); // a node without peers is settled at once
  publish_view();
  self->send(self, cluster_tick_atom::value);
  return {
    [=](cluster_hello_atom, node_services& theirs) -> caf::result<node_services> {
      auto from = theirs.node_id;
      if (!self->state.members->is_member(from) || from == settings.node_id)
        return caf::make_error(caf::sec::request_receiver_down, "not a configured peer: " + from);
      if (auto h = caf::actor_cast<cluster_node_actor>(self->current_sender()))
        adopt(from, std::move(h), std::move(theirs));
      return own;
    },
    [=](cluster_beat_atom, const std::string& from, std::int64_t sessions,
        const std::string& host_choice) {
      // Only a peer we hold a connection to counts: a beat alone proves no way back.
      auto& st = self->state;
      if (!st.handles.count(from))
        return;
      st.sessions[from] = sessions;
      auto& choice = st.host_choices[from];
      bool new_choice = choice != host_choice;
      choice = host_choice;
      if (st.members->heard_from(from, now_ms()) || new_choice)
        publish_view();
    },
    [=](cluster_revoke_atom, const std::string& user_id, std::int64_t changed_at) {
      if (settings.on_password_changed)
        settings.on_password_changed(user_id, changed_at);
    },
    [=](cluster_status_atom) { return status_now(); },
    [=](cluster_tick_atom) {
      auto& st = self->state;
      auto gone = st.members->expire(now_ms());
      for (auto& id : gone) {
        log_event("warn", "cluster peer silent too long", {{"self", settings.node_id}, {"node", id}});
        forget(id);
      }
      if (settle() || !gone.empty())
        publish_view();
      if (settings.on_status)
        settings.on_status(status_now());
      beat();
      auto now = now_ms();
      for (auto& m : st.members->members())
        if (!m.local && !st.handles.count(m.id) && st.retry[m.id].first <= now)
          connect(m);
      self->delayed_send(self, std::chrono::milliseconds(settings.heartbeat_ms),
                         cluster_tick_atom::value);
    },
  };
}

} // namespace

caf::expected<cluster_node> start_cluster_node(caf::actor_system& sys,
                                               const cluster_settings& settings,
                                               std::shared_ptr<cluster_view_cell> view) {
  cluster_node node;
  node.view = view ? std::move(view) : std::make_shared<cluster_view_cell>();
  // Until the actor publishes, placement sees this node alone (never nobody).
  auto alone = std::make_shared<cluster_view>();
  alone->self = settings.node_id;
  alone->live.push_back(settings.node_id);
  alone->services.emplace(settings.node_id, settings.services);
  node.view->set(std::move(alone));
  node.actor = sys.spawn(node_behavior, settings, node.view);
  auto port = settings.tls
                ? caf::openssl::publish(node.actor, settings.port, settings.bind.c_str(), true)
                : sys.middleman().publish(node.actor, settings.port, settings.bind.c_str(), true);
  if (!port) {
    caf::anon_send_exit(node.actor, caf::exit_reason::user_shutdown);
    return std::move(port.error());
  }
  node.port = *port;
  return node;
}

} // namespace foresight
