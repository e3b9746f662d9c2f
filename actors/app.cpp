// actor_app: wires the actors and bridges callbacks to CAF requests: each call is one request sent
// through the request bridge, whose reply (or error, or timeout) is decoded into the callback's
// outcome.
#include "actors/app.hpp"

#include <algorithm>
#include <atomic>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <mutex>
#include <thread>

#include "actors/activity_writer.hpp"
#include "actors/catalog_registry.hpp"
#include "actors/cluster_node.hpp"
#include "actors/llm_gateway.hpp"
#include "actors/messages.hpp"
#include "actors/pattern_learner.hpp"
#include "actors/request_bridge.hpp"
#include "actors/retention.hpp"
#include "actors/crowd.hpp"
#include "actors/session_placement.hpp"
#include "actors/session_registry.hpp"
#include "actors/storage_pool.hpp"
#include "actors/suggestion_cache.hpp"
#include "core/bounded_pool.hpp"
#include "core/cluster_peers.hpp"
#include "core/jwt.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/password_hash.hpp"
#include "core/remote_calls.hpp"

namespace foresight {

namespace {

struct app_config : caf::actor_system_config {
  explicit app_config(const config& cfg) {
    set("scheduler.max-threads", cfg.actor_threads);
    // Work sharing wakes an idle worker at once; 0.17's work stealing lets idle workers sleep
    // up to 10 ms between polls, which showed up as that much latency on every actor hop.
    set("scheduler.policy", caf::atom("sharing"));
    set("logger.console", caf::atom("none"));
    register_message_types(*this);
    register_cluster_message_types(*this);
    load<caf::io::middleman>();
    if (!cfg.cluster_cert.empty()) {
      load<caf::openssl::manager>();
      openssl_certificate = cfg.cluster_cert;
      openssl_key = cfg.cluster_key;
      openssl_cafile = cfg.cluster_ca;
    }
    // A lost peer shows within the cluster's own heartbeat limit, not CAF's default minutes.
    set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(250)});
    set("middleman.connection-timeout", caf::timespan{std::chrono::milliseconds(1500)});
  }
};

/// The members as Prometheus series: up (1 alive, 0 otherwise, labelled with the state), seconds
/// since last heard, and live sessions.
std::string cluster_metrics(const cluster_report& st) {
  std::string out =
    "# HELP foresight_cluster_member_up Cluster members as this node sees them (1: alive).\n"
    "# TYPE foresight_cluster_member_up gauge\n";
  for (auto& m : st.members)
    out += "foresight_cluster_member_up{node=\"" + m.id + "\",state=\"" + m.state + "\"} " +
           (m.state == "alive" ? "1" : "0") + "\n";
  out += "# HELP foresight_cluster_member_last_heard_seconds Since each peer was last heard from.\n"
         "# TYPE foresight_cluster_member_last_heard_seconds gauge\n";
  for (auto& m : st.members)
    if (m.last_heard_ms_ago >= 0)
      out += "foresight_cluster_member_last_heard_seconds{node=\"" + m.id + "\"} " +
             std::to_string(static_cast<double>(m.last_heard_ms_ago) / 1000.0) + "\n";
  out += "# HELP foresight_cluster_member_sessions Live sessions of each member.\n"
         "# TYPE foresight_cluster_member_sessions gauge\n";
  for (auto& m : st.members)
    if (m.sessions >= 0)
      out += "foresight_cluster_member_sessions{node=\"" + m.id + "\"} " +
             std::to_string(m.sessions) + "\n";
  return out;
}

} // namespace

struct actor_app::impl {
  app_config cfg;
  caf::actor_system sys;
  storage_actor storage;
  pattern_learners_actor learners;
  activity_writer_actor writer;
  std::unique_ptr<session_placement> sessions; ///< which registry shard holds a user's session
  catalog_registry_actor catalogs;
  /// One storage worker for work nobody waits on: the learners' loads and saves, retention, the
  /// cache's write-behind and LLM usage. A pattern save takes 40-60 ms; on the shared pool a user's
  /// profile, login or pattern read could wait behind one.
  storage_actor background;
  llm_gateway_actor llm;
  suggestion_cache_actor cache;
  crowd_actor crowd; ///< what other users ask (sessions rank with it)
  retention_actor retention; ///< drops old result rows (none when retention is off)
  std::string node_id; ///< empty: a single node
  std::shared_ptr<cluster_view_cell> cluster; ///< null: a single node
  cluster_node_actor cluster_node;
  remote_calls remote;
  std::shared_ptr<void> metrics_section_holder; ///< keeps /metrics' cluster section alive
  /// Told of password changes made on other nodes (set by the HTTP side once it exists).
  std::shared_ptr<std::shared_ptr<const password_change_fn>> password_listener =
    std::make_shared<std::shared_ptr<const password_change_fn>>();
  request_bridge bridge; ///< after `sys`: destroyed first
  std::string jwt_secret;
  int token_ttl;
  int min_users;
  int rebuild_days;
  int pbkdf2_iterations;
  std::chrono::milliseconds request_timeout;
  /// The iterations of the last known user's hash checked: an unknown user's login costs the
  /// same, also when stored hashes predate a change of --pbkdf2-iterations.
  std::atomic<int> login_iterations;
  bool stopped = false;
  /// PBKDF2 runs here, never on actor or storage threads. Last member: destroyed (and joined)
  /// first, while everything its jobs call is still there.
  bounded_pool passwords;

  impl(const config& c, std::string conninfo, std::string secret)
    : cfg(c),
      sys(cfg),
      bridge(sys, std::chrono::milliseconds(c.request_timeout_ms)),
      jwt_secret(std::move(secret)),
      token_ttl(c.token_ttl_seconds),
      min_users(c.pattern_min_users),
      rebuild_days(c.patterns_rebuild_days),
      pbkdf2_iterations(c.pbkdf2_iterations),
      request_timeout(c.request_timeout_ms),
      login_iterations(c.pbkdf2_iterations),
      passwords(c.password_threads > 0
                  ? c.password_threads
                  : std::max(1, static_cast<int>(std::thread::hardware_concurrency() / 2)),
                static_cast<std::size_t>(c.password_queue_max)) {
    // CAF 0.17 makes a local group at its first lookup, and when threads race to make the same
    // one, each loser blocks its thread until its spare copy's broker has stopped. With both
    // scheduler threads blocked that way (the detached crowd can win the race), no actor runs
    // again: a server that never answers. So the groups exist before any actor looks them up.
    learned_activities_group(sys);
    catalog_versions_group(sys);
    storage_settings s{conninfo, c.db_pool_size};
    storage = spawn_storage_pool(sys, s);
    // The background worker stores rows keyed to users: cache entries, impressions, patterns.
    background = spawn_storage_pool(sys, {conninfo, 1, true});
    node_id = c.node_id;
    if (clustered(c)) {
      cluster = std::make_shared<cluster_view_cell>();
      auto alone = std::make_shared<cluster_view>();
      alone->self = node_id;
      alone->live.push_back(node_id);
      cluster->set(std::move(alone));
    }
    auto w = writer_settings_within(c.request_timeout_ms);
    learner_settings l;
    l.start_active = !cluster; // in a cluster, only the learner host's learners run
    l.cluster = cluster;
    l.flush_interval_ms = c.pattern_flush_ms;
    l.count_flush_interval_ms = c.pattern_count_flush_ms;
    l.thread_nice = c.learner_nice;
    l.rebuild_days = c.patterns_rebuild_days;
    l.rebuild_at_minute = minute_of_day(c.patterns_rebuild_at);
    learners = spawn_pattern_learners(sys, background, l);
    w.conninfo = conninfo;
    w.batch_max = c.writer_batch_max;
    w.batch_wait_ms = c.writer_batch_wait_ms;
    w.queue_max = c.writer_queue_max;
    w.cluster = cluster;
    writer = spawn_activity_writer(sys, w, learners);
    catalogs = spawn_catalog_registry(sys, storage);
    retention = spawn_retention(sys, background, {c.retention_days, c.retention_every_s});
    crowd = spawn_crowd(sys, storage, catalogs, c.pattern_min_users);
    llm_gateway_settings g;
    g.configured = !c.llm_base_url.empty();
    g.enabled = c.llm_enabled;
    g.client.base_url = c.llm_base_url;
    g.client.api_key = c.llm_api_key; // app/main.cpp falls back to OPENAI_API_KEY
    g.client.model = c.llm_model;
    g.client.max_tokens = c.llm_max_tokens;
    g.client.temperature = c.llm_temperature;
    g.client.max_concurrent = c.llm_max_concurrent;
    g.client.breaker_failures = c.llm_breaker_failures;
    g.client.breaker_open_ms = c.llm_breaker_open_ms;
    g.client.ca_file = c.llm_ca_file;
    g.daily_calls_per_user = c.llm_daily_calls_per_user;
    g.price_in_per_mtok = c.llm_price_in_per_mtok;
    g.price_out_per_mtok = c.llm_price_out_per_mtok;
    llm = spawn_llm_gateway(sys, background, g);
    suggestion_cache_settings sc;
    sc.shards = c.suggestion_cache_shards > 0 ? c.suggestion_cache_shards : c.actor_threads;
    sc.ttl_s = c.suggestion_cache_ttl_s;
    sc.max_entries = c.suggestion_cache_max;
    sc.flush_ms = c.suggestion_flush_ms;
    sc.deadline_ms = c.suggestion_deadline_ms;
    sc.llm = g.configured && g.enabled;
    auto cache_handles =
      spawn_suggestion_cache(sys, {storage, background, llm, catalogs}, sc);
    cache = cache_handles.supervisor;
    session_peers peers;
    peers.storage = storage;
    peers.writer = writer;
    peers.catalogs = catalogs;
    peers.cache = cache;
    peers.cache_shards = cache_handles.shards;
    peers.llm = llm;
    peers.crowd = crowd;
    session_settings defaults;
    defaults.idle_timeout_ms = c.session_idle_timeout_ms;
    defaults.question_history = c.session_history;
    defaults.min_users = c.pattern_min_users;
    defaults.strategy = c.suggestion_strategy;
    std::string bad_experiment; // validated when the option was read
    parse_experiment(c.suggestion_experiment, defaults.experiment, bad_experiment);
    auto shards = static_cast<std::size_t>(c.actor_threads);
    sessions = cluster ? make_cluster_session_placement(sys, peers, defaults, shards, cluster)
                       : make_local_session_placement(sys, peers, defaults, shards);
  }

  /// Starts this node's cluster member and waits (up to the heartbeat limit) until it has
  /// heard from every peer or given up on the silent ones, so that users and the learner host
  /// are placed over the real live set before the first request.
  void join_cluster(const config& c) {
    cluster_settings cs;
    cs.node_id = node_id;
    cs.tls = !c.cluster_cert.empty();
    cs.bind = cluster_bind_address(c);
    cs.port = c.cluster_port;
    std::string bad_peers; // validated when the option was read
    parse_cluster_peers(c.peers, node_id, cs.peers, bad_peers);
    cs.services = {node_id, sessions->local_shards(), writer, learners, catalogs, cache, crowd};
    auto& alive = metrics_registry::instance().get_gauge("foresight_sessions_alive",
                                                         "user session actors alive");
    cs.sessions = [&alive] { return alive.value.load(std::memory_order_relaxed); };
    auto& members = metrics_registry::instance().get_gauge(
      "foresight_cluster_live_members", "cluster members alive, this node included");
    auto& epoch = metrics_registry::instance().get_gauge(
      "foresight_cluster_epoch", "changes of the cluster's live set seen by this node");
    auto& hosting = metrics_registry::instance().get_gauge(
      "foresight_cluster_learner_host", "1 when this node hosts the writer and the learners");
    auto shards = sessions->local_shards();
    auto self_id = node_id;
    auto learners_here = learners;
    auto catalogs_here = catalogs;
    auto* calls = &remote;
    auto last_live = std::make_shared<std::vector<std::string>>(); // on_view's own thread only
    cs.on_view = [=, &members, &epoch, &hosting](std::shared_ptr<const cluster_view> v) {
      // A peer back after a partition may have missed our password changes and catalog PUTs, and
      // we theirs: re-read them all (both only move forward, so taking one twice is harmless).
      bool rejoined = std::any_of(v->live.begin(), v->live.end(), [&](const std::string& id) {
        return std::find(last_live->begin(), last_live->end(), id) == last_live->end();
      });
      if (rejoined && !last_live->empty()) {
        reload_password_changes();
        caf::anon_send(catalogs_here, catalog_reload_atom::value); // and catalog PUTs
      }
      *last_live = v->live;
      members.set(static_cast<std::int64_t>(v->live.size()));
      epoch.set(static_cast<std::int64_t>(v->epoch));
      calls->fail_all_but(v->live);
      for (auto& shard : shards)
        caf::anon_send(shard, placement_changed_atom::value, v->live, self_id);
      if (v->settled) {
        hosting.set(v->learner_host == self_id ? 1 : 0);
        caf::anon_send(learners_here, learner_host_atom::value, v->learner_host == self_id,
                       v->epoch);
      }
    };
    // /metrics shows each member as GET /api/v1/cluster does, from the last heartbeat's status.
    auto last_status = std::make_shared<std::pair<std::mutex, cluster_report>>();
    cs.on_status = [last_status](const cluster_report& st) {
      std::lock_guard<std::mutex> lock{last_status->first};
      last_status->second = st;
    };
    std::weak_ptr<std::pair<std::mutex, cluster_report>> weak_status = last_status;
    metrics_registry::instance().set_section("cluster", [weak_status] {
      auto held = weak_status.lock();
      if (!held)
        return std::string{};
      std::lock_guard<std::mutex> lock{held->first};
      return cluster_metrics(held->second);
    });
    metrics_section_holder = last_status;
    cs.dead_after_ms = 1500;
    auto listener = password_listener;
    cs.on_password_changed = [listener](const std::string& user, std::int64_t at) {
      if (auto f = std::atomic_load(listener.get()))
        (*f)(user, at);
    };
    auto node = start_cluster_node(sys, cs, cluster);
    if (!node)
      throw std::runtime_error("cannot open the cluster port " + std::to_string(c.cluster_port) +
                               ": " + sys.render(node.error()));
    cluster_node = node->actor;
    log_event("info", cs.tls ? "cluster port open (TLS)"
                             : "cluster port open on loopback only (no --cluster-cert)",
              {{"node", node_id}, {"address", cs.bind + ":" + std::to_string(node->port)}});
    auto until =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(cs.dead_after_ms + 1000);
    auto decided = [this] {
      auto v = cluster->get();
      return v->settled && (!v->learner_host.empty() || !v->quorum);
    };
    while (!decided() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  /// Hands every stored password change to the HTTP side's revocations (a cluster's catch-up).
  void reload_password_changes() {
    auto listener = password_listener;
    ask<password_change_list>(storage, [listener](outcome<password_change_list> r) {
      auto f = std::atomic_load(listener.get());
      if (r.error || !f)
        return;
      for (auto& [user, at] : r.value.items)
        (*f)(user, at);
    }, password_changes_atom::value);
  }

  /// The learner host's learners (this node's on a single node); null while none is known.
  pattern_learners_actor host_learners() const {
    if (!cluster)
      return learners;
    auto v = cluster->get();
    auto s = v->services.find(v->learner_host);
    return s == v->services.end() ? pattern_learners_actor{} : s->second.learners;
  }

  /// Every live node's services (only this node's on a single node).
  std::vector<node_services> all_nodes() const {
    if (!cluster)
      return {node_services{{}, {}, writer, learners, catalogs, cache, crowd}};
    std::vector<node_services> out;
    for (auto& [id, s] : cluster->get()->services)
      out.push_back(s);
    return out;
  }

  /// One request to `target` (any handle); the reply (or error) goes to `done` on a CAF thread.
  template <class T, class Handle, class... Ts>
  void ask(const Handle& target, callback<T> done, Ts... xs) {
    // The bridge sends untyped messages: check here what a typed handle would check.
    using interface = typename Handle::signatures;
    if constexpr (!std::is_same<interface, caf::none_t>::value)
      static_assert(std::is_same<caf::response_type_t<interface, Ts...>,
                                 caf::detail::type_list<T>>::value,
                    "the target's interface does not answer this request with T");
    bridge.request(target, caf::make_message(std::move(xs)...), [done](caf::message& reply) {
      if (reply.match_elements<T>())
        return done({std::move(reply.get_mutable_as<T>(0)), {}});
      if (reply.match_elements<caf::error>())
        return done({T{}, to_api_error(reply.get_as<caf::error>(0))});
      done({T{}, to_api_error(caf::make_error(caf::sec::unexpected_response))});
    });
  }

  /// Runs `work` on the password pool and hands its outcome to `done`; a full pool answers 429
  /// at once, and work that waited past the request deadline is skipped (its client gave up).
  template <class T>
  void on_password_pool(std::function<outcome<T>()> work, callback<T> done) {
    auto queued = std::chrono::steady_clock::now();
    auto deadline = request_timeout;
    bool accepted = passwords.try_submit([=] {
      if (std::chrono::steady_clock::now() - queued > deadline)
        return done({T{}, make_error(error_code::timeout, "the password check waited too long")});
      try {
        done(work());
      } catch (const std::exception&) {
        done({T{}, make_error(error_code::internal, "internal error")});
      }
    });
    if (!accepted) {
      auto err = make_error(error_code::rate_limited, "too many password checks at once; retry");
      err.retry_after_seconds = 1;
      done({T{}, err});
    }
  }

  /// The same, addressed to the caller's session. A session on another node answers across the
  /// cluster; if that node is lost first, the caller hears 503 at once.
  template <class T, class... Ts>
  void ask_session(const std::string& caller, callback<T> done, Ts... xs) {
    auto placed = sessions->place(caller);
    auto owner = placed.shard;
    auto node = placed.node;
    if (!cluster || owner.node() == sys.node())
      return ask<T>(owner, std::move(done), for_user_atom::value, caller, xs...);
    auto once = std::make_shared<std::atomic<bool>>(false);
    auto id = remote.add(node, [once, done] {
      if (!once->exchange(true))
        done({T{}, make_error(error_code::unavailable,
                              "the node holding this user's session was lost; retry")});
    });
    // The node may have gone since it was chosen, its loss swept before this call was added.
    if (auto now = cluster->get(); std::find(now->live.begin(), now->live.end(), node) ==
                                   now->live.end())
      remote.fail_all_but(now->live);
    auto* calls = &remote;
    ask<T>(owner,
           [once, done, calls, node, id](outcome<T> r) {
             calls->remove(node, id);
             if (!once->exchange(true))
               done(std::move(r));
           },
           for_user_atom::value, caller, xs...);
  }
};

actor_app::actor_app(const config& cfg, std::string conninfo, std::string jwt_secret)
  : impl_(std::make_unique<impl>(cfg, std::move(conninfo), std::move(jwt_secret))) {
  if (!impl_->cluster)
    return;
  try {
    impl_->join_cluster(cfg);
  } catch (...) {
    shutdown(); // the actors are running: stop them, or the actor system waits for them forever
    throw;
  }
}

actor_app::~actor_app() {
  shutdown();
}

void actor_app::on_password_changed_elsewhere(password_change_fn f) {
  std::atomic_store(impl_->password_listener.get(),
                    std::make_shared<const password_change_fn>(std::move(f)));
}

void actor_app::shutdown() {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  impl_->bridge.close();
  // The HTTP side has drained: write the cache's pending entries, hits and impressions before
  // its storage worker stops (an exit message could overtake a last write sent beside it).
  {
    caf::scoped_actor self{impl_->sys};
    self->request(impl_->cache, std::chrono::seconds(10), drain_cache_atom::value)
      .receive([](bool) {}, [](caf::error&) {});
  }
  // Leave the cluster first: the others take over this node's users at once.
  if (impl_->cluster_node)
    caf::anon_send_exit(impl_->cluster_node, caf::exit_reason::user_shutdown);
  // The sessions first: they use every other root.
  impl_->sessions->stop(caf::exit_reason::user_shutdown);
  auto stop = [](auto& root) {
    if (root)
      caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
    root = std::decay_t<decltype(root)>{};
  };
  auto& i = *impl_;
  stop(i.retention);
  stop(i.crowd);
  stop(i.cache);
  stop(i.llm);
  stop(i.catalogs);
  stop(i.writer);
  stop(i.learners);
  stop(i.background);
  stop(i.storage);
  impl_->sys.await_all_actors_done();
}

void actor_app::issue_token(credentials creds, callback<token_grant> done) {
  auto* self = impl_.get();
  auto password = std::make_shared<std::string>(std::move(creds.password));
  auto check = [self, password, done](outcome<login_record> r) {
    if (r.error)
      return done({{}, r.error});
    auto record = std::make_shared<login_record>(std::move(r.value));
    self->on_password_pool<token_grant>(
      [self, password, record]() -> outcome<token_grant> {
        // An unknown user costs one verification too: the answer's timing must not tell.
        bool known = !record->user.id.empty();
        if (auto n = known ? password_hash_iterations(record->password_hash) : 0; n > 0)
          self->login_iterations = n;
        auto stored = known ? record->password_hash
                            : unmatchable_password_hash(self->login_iterations);
        bool ok = password_verify(*password, stored);
        if (!known || !ok)
          return {{}, make_error(error_code::unauthorized, "invalid username or password")};
        auto now = static_cast<std::int64_t>(std::time(nullptr));
        token_grant g;
        g.user_id = record->user.id;
        g.role = record->user.role;
        g.is_admin = record->user.is_admin;
        g.expires_in = self->token_ttl;
        g.access_token = mint_token(record->user.id, now, self->token_ttl, self->jwt_secret);
        return {std::move(g), {}};
      },
      done);
  };
  impl_->ask<login_record>(impl_->storage, std::move(check), login_atom::value,
                           std::move(creds.username));
}

void actor_app::create_user(std::string caller, new_user user, callback<user_profile> done) {
  // Admins only: checked before hashing, so no one else can keep the password pool busy.
  auto* self = impl_.get();
  auto u = std::make_shared<new_user>(std::move(user));
  auto after_profile = [self, caller, u, done](outcome<user_profile> me) {
    if (me.error)
      return done({{}, me.error});
    if (!me.value.is_admin)
      return done({{}, make_error(error_code::forbidden, "this operation needs an admin user")});
    self->on_password_pool<new_user>(
      [self, u]() -> outcome<new_user> {
        u->password_hash = password_hash(u->password, self->pbkdf2_iterations);
        u->password.clear();
        return {*u, {}};
      },
      [self, caller, done](outcome<new_user> hashed) {
        if (hashed.error)
          return done({{}, hashed.error});
        self->ask_session<user_profile>(caller, done, user_add_atom::value,
                                        std::move(hashed.value));
      });
  };
  impl_->ask_session<user_profile>(caller, std::move(after_profile), profile_atom::value);
}

void actor_app::change_password(std::string caller, password_change change,
                                callback<std::int64_t> done) {
  auto* self = impl_.get();
  auto c = std::make_shared<password_change>(std::move(change));
  // The new hash is stored (and audited) by a storage worker, after the pool made it.
  auto store = [self, caller, c, done](outcome<std::string> hashed) {
    if (hashed.error)
      return done({0, hashed.error});
    auto told = [self, c, done](outcome<std::int64_t> changed) {
      if (!changed.error && self->cluster)
        for (auto& [id, node] : self->cluster->get()->peers)
          caf::anon_send(node, cluster_revoke_atom::value, c->user_id, changed.value);
      done(std::move(changed));
    };
    self->ask<std::int64_t>(self->storage, told, passwd_atom::value, caller, c->user_id,
                            std::move(hashed.value));
  };
  auto hash_new = [self, c] {
    return outcome<std::string>{password_hash(c->password, self->pbkdf2_iterations), {}};
  };
  auto after_profile = [=](outcome<user_profile> me) {
    if (me.error)
      return done({0, me.error});
    if (me.value.is_admin)
      return self->on_password_pool<std::string>(hash_new, store);
    if (c->user_id != caller)
      return done({0, make_error(error_code::forbidden,
                                 "only an admin may set another user's password")});
    if (c->current_password.empty())
      return done({0, make_error(error_code::validation_failed,
                                 "current_password is required to change your own password",
                                 "current_password")});
    // One's own change proves the current password first (a stolen token alone is not enough).
    auto verify = [=](outcome<login_record> r) {
      if (r.error)
        return done({0, r.error});
      auto hash = std::make_shared<std::string>(std::move(r.value.password_hash));
      self->on_password_pool<std::string>(
        [=]() -> outcome<std::string> {
          if (!password_verify(c->current_password, *hash))
            return {{}, make_error(error_code::forbidden, "current_password is wrong",
                                   "current_password")};
          return hash_new();
        },
        store);
    };
    self->ask<login_record>(self->storage, std::move(verify), login_atom::value,
                            me.value.username);
  };
  impl_->ask_session<user_profile>(caller, std::move(after_profile), profile_atom::value);
}

void actor_app::audit_log(std::string caller, history_query query, callback<activity_page> done) {
  impl_->ask_session<activity_page>(caller, std::move(done), audit_atom::value, std::move(query));
}

void actor_app::put_catalog(std::string caller, connection_catalog catalog,
                            callback<connection_catalog> done) {
  // The learners generalise with the newest catalog from now on; the registry (and through it
  // every session) must know the new version before the client hears the PUT succeeded.
  auto* self = impl_.get();
  auto notify = [self, done = std::move(done)](outcome<connection_catalog> r) {
    if (r.error)
      return done(std::move(r));
    if (auto learners = self->host_learners())
      caf::anon_send(learners, catalog_atom::value, r.value);
    // Other nodes' registries (and through them their sessions and caches) learn it too; this
    // node's answers before the client hears the PUT succeeded.
    for (auto& node : self->all_nodes())
      if (node.catalogs && node.catalogs != self->catalogs)
        caf::anon_send(node.catalogs, catalog_atom::value, r.value);
    auto stored = r.value;
    self->ask<bool>(self->catalogs,
                    [stored, done](outcome<bool>) { done({stored, {}}); },
                    catalog_atom::value, stored);
  };
  impl_->ask_session<connection_catalog>(caller, std::move(notify), cat_put_atom::value,
                                         std::move(catalog));
}

void actor_app::get_catalog(std::string caller, std::string id,
                            callback<connection_catalog> done) {
  impl_->ask_session<connection_catalog>(caller, std::move(done), cat_get_atom::value,
                                         std::move(id));
}

void actor_app::list_catalogs(std::string caller, callback<catalog_list> done) {
  impl_->ask_session<catalog_list>(caller, std::move(done), cat_list_atom::value);
}

void actor_app::log_activity(std::string caller, activity_row row,
                             callback<logged_activity> done) {
  impl_->ask_session<logged_activity>(caller, std::move(done), log_atom::value, std::move(row));
}

void actor_app::activity_history(std::string caller, history_query query,
                                 callback<activity_page> done) {
  impl_->ask_session<activity_page>(caller, std::move(done), history_atom::value,
                                    std::move(query));
}

void actor_app::patterns(std::string caller, patterns_query query,
                         callback<patterns_view> done) {
  query.min_users = impl_->min_users;
  impl_->ask_session<patterns_view>(caller, std::move(done), patterns_atom::value,
                                    std::move(query));
}

void actor_app::erase_user(std::string caller, std::string user_id, bool delete_account,
                           callback<erase_report> done) {
  // Committed: every actor holding something of the user lets it go before the client hears of
  // it, so the next request (queued behind these messages) sees none of it.
  auto* self = impl_.get();
  auto forget = [self, done = std::move(done)](outcome<erase_report> r) {
    if (!r.error) {
      self->sessions->forget(r.value.user_id);
      for (auto& node : self->all_nodes()) {
        caf::anon_send(node.cache, forget_atom::value, r.value.user_id);
        caf::anon_send(node.crowd, forget_atom::value);
        caf::anon_send(node.writer, forget_atom::value, r.value.user_id);
      }
      if (auto learners = self->host_learners())
        caf::anon_send(learners, forget_atom::value);
    }
    done(std::move(r));
  };
  impl_->ask_session<erase_report>(caller, std::move(forget), erase_atom::value,
                                   std::move(user_id), delete_account,
                                   static_cast<std::int32_t>(impl_->rebuild_days));
}

void actor_app::inject_fault(std::string caller, std::string target, callback<bool> done) {
  auto* self = impl_.get();
  impl_->ask_session<user_profile>(
    caller,
    [self, target, done = std::move(done)](outcome<user_profile> r) {
      if (r.error)
        return done({false, r.error});
      if (!r.value.is_admin)
        return done(
          {false, make_error(error_code::forbidden, "this operation needs an admin user")});
      if (target == "learner")
        caf::anon_send(self->host_learners(), fault_atom::value);
      else if (target == "cache")
        caf::anon_send(self->cache, fault_atom::value);
      else if (target == "storage")
        caf::anon_send(self->storage, fault_atom::value);
      else
        return done({false, make_error(error_code::validation_failed,
                                       "target must be learner, cache or storage", "target")});
      done({true, {}});
    },
    profile_atom::value);
}

void actor_app::preferences(std::string caller, callback<suggestion_preferences> done) {
  impl_->ask_session<suggestion_preferences>(caller, std::move(done), prefs_get_atom::value);
}

void actor_app::update_preferences(std::string caller, preferences_update update,
                                   callback<suggestion_preferences> done) {
  impl_->ask_session<suggestion_preferences>(caller, std::move(done), prefs_put_atom::value,
                                             std::move(update));
}

void actor_app::suggest(std::string caller, suggestion_request request,
                        callback<suggestion_list> done) {
  impl_->ask_session<suggestion_list>(caller, std::move(done), suggest_atom::value,
                                      std::move(request));
}

void actor_app::stats(std::string caller, callback<stats_report> done) {
  impl_->ask_session<stats_report>(caller, std::move(done), stats_atom::value);
}

void actor_app::readiness(callback<readiness_report> done) {
  impl_->ask<readiness_report>(impl_->storage, std::move(done), ready_atom::value);
}

void actor_app::cluster(std::string caller, std::string owner_of_user,
                        callback<cluster_report> done) {
  auto* self = impl_.get();
  auto user = std::make_shared<std::string>(std::move(owner_of_user));
  auto finish = [self, user, done](cluster_report report) {
    if (!user->empty()) {
      report.owner_user_id = *user;
      report.owner_node = self->cluster ? self->sessions->place(*user).node : report.node_id;
    }
    done({std::move(report), {}});
  };
  impl_->ask_session<user_profile>(
    caller,
    [self, finish, done](outcome<user_profile> r) {
      if (r.error)
        return done({{}, r.error});
      if (!r.value.is_admin)
        return done({{}, make_error(error_code::forbidden, "this operation needs an admin user")});
      auto sessions = metrics_registry::instance()
                        .get_gauge("foresight_sessions_alive", "user session actors alive")
                        .value.load(std::memory_order_relaxed);
      if (!self->cluster) { // a single node: the only member, hosting the learners
        cluster_report report;
        report.node_id = report.learner_host = "local";
        report.members.push_back({"local", "", "alive", -1, true, sessions});
        return finish(std::move(report));
      }
      auto view = self->cluster->get();
      self->ask<cluster_report>(
        self->cluster_node,
        [view, finish, done](outcome<cluster_report> st) {
          if (st.error)
            return done({{}, st.error});
          st.value.learner_host = view->learner_host;
          finish(std::move(st.value));
        },
        cluster_status_atom::value);
    },
    profile_atom::value);
}

} // namespace foresight
