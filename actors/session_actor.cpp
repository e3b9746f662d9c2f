// session_actor: loads the profile first (nothing else is handled until it arrives), then checks
// permissions and hands storage work to the pool.
#include "actors/session_actor.hpp"

#include <deque>
#include <unordered_map>

#include "actors/catalog_registry.hpp"
#include "actors/messages.hpp"
#include "core/activity.hpp"
#include "core/cache_key.hpp"
#include "core/metrics.hpp"
#include "core/preferences.hpp"

namespace foresight {

namespace {

/// A preference operation: gets the load error (if any) and must call `release` when done.
using prefs_op = std::function<void(const caf::error&, std::function<void()>)>;

struct session_state {
  user_profile profile;
  /// The user's latest committed activities, newest last: the context later work builds on
  /// (which query a feedback rates, what the user just asked).
  std::deque<logged_activity> recent;
  /// Loaded on first use; the session is the only writer of its user's preferences.
  suggestion_preferences prefs;
  bool prefs_loaded = false;
  bool prefs_busy = false;
  std::deque<prefs_op> prefs_queue;
  /// Catalog versions seen, kept current by the registry's group (saves a hop per suggestion).
  std::unordered_map<std::string, std::int32_t> catalog_versions;
};

/// Starts the next queued preference operation unless one is running; loads the preferences
/// first if needed (a failed load is passed to the operation and retried by the next one).
void pump_prefs(caf::event_based_actor* self, std::shared_ptr<session_state> st,
                caf::actor storage, std::string user_id) {
  if (st->prefs_busy || st->prefs_queue.empty())
    return;
  st->prefs_busy = true;
  auto op = std::move(st->prefs_queue.front());
  st->prefs_queue.pop_front();
  std::weak_ptr<session_state> weak = st;
  auto release = [=] {
    if (auto s = weak.lock()) {
      s->prefs_busy = false;
      pump_prefs(self, s, storage, user_id);
    }
  };
  if (st->prefs_loaded)
    return op(caf::error{}, release);
  self->request(storage, std::chrono::seconds(10), prefs_get_atom::value, user_id)
    .then(
      [=](suggestion_preferences& p) {
        st->prefs = std::move(p);
        st->prefs_loaded = true;
        op(caf::error{}, release);
      },
      [=](caf::error& err) { op(err, release); });
}

caf::error forbidden() {
  return to_caf_error(make_error(error_code::forbidden, "this operation needs an admin user"));
}

} // namespace

caf::behavior session_actor(caf::event_based_actor* self, session_settings settings,
                            session_peers peers) {
  auto storage = peers.storage;
  auto writer = peers.writer;
  auto manager = peers.manager;
  auto catalogs = peers.catalogs;
  auto cache = peers.cache;
  auto llm = peers.llm;
  auto state = std::make_shared<session_state>();
  auto& alive = metrics_registry::instance().get_gauge("foresight_sessions_alive",
                                                       "user session actors alive");
  alive.add(1);
  self->attach_functor([&alive] { alive.add(-1); });
  auto user_id = settings.user_id;
  self->join(catalog_versions_group(self->system()));
  // `await` holds back every other message until the profile is known.
  self->request(storage, std::chrono::seconds(10), user_get_atom::value, user_id)
    .await(
      [=](user_profile& p) { state->profile = std::move(p); },
      [=](caf::error& err) {
        // The user is gone or the database is down: answer everything queued with the reason,
        // then ask to be retired so the next request tries afresh.
        auto api = to_api_error(err);
        if (api.code == error_code::not_found)
          api = make_error(error_code::unauthorized, "the token's user no longer exists");
        auto reason = to_caf_error(api);
        self->leave(catalog_versions_group(self->system()));
        self->set_default_handler([=](caf::scheduled_actor*, caf::message_view&)
                                    -> caf::result<caf::message> { return reason; });
        self->become([=](stop_atom) { self->quit(); });
        self->send(manager, idle_atom::value, user_id);
      });
  auto admin_only = [=](auto... msg) -> caf::result<caf::message> {
    if (!state->profile.is_admin)
      return forbidden();
    auto rp = self->make_response_promise();
    rp.delegate(storage, msg...);
    return rp;
  };
  // Versions only grow: a reply that raced with the registry's newer publication loses.
  auto note_catalog_version = [=](const std::string& id, std::int32_t version) {
    auto& v = state->catalog_versions[id];
    v = std::max(v, version);
    return v;
  };
  // Preference operations run one at a time (a queue, not `await`: CAF 0.17 mishandles an
  // await issued from inside another await's handler). The first one loads the preferences.
  auto with_prefs = [=](prefs_op op) {
    state->prefs_queue.push_back(std::move(op));
    pump_prefs(self, state, storage, user_id);
  };
  return {
    [=](profile_atom) { return state->profile; },
    [=](prefs_get_atom) {
      auto rp = self->make_response_promise<suggestion_preferences>();
      with_prefs([=](const caf::error& err, std::function<void()> release) mutable {
        if (err)
          rp.deliver(err);
        else
          rp.deliver(state->prefs);
        release();
      });
      return rp;
    },
    [=](prefs_put_atom, preferences_update& u) {
      auto rp = self->make_response_promise<suggestion_preferences>();
      with_prefs([=](const caf::error& err, std::function<void()> release) mutable {
        auto next = state->prefs;
        if (err || !apply_preferences_update(next, u)) {
          err ? rp.deliver(err) : rp.deliver(state->prefs);
          return release();
        }
        self->request(storage, std::chrono::seconds(10), prefs_put_atom::value, next)
          .then(
            [=](suggestion_preferences& stored) mutable {
              state->prefs = std::move(stored);
              // The new version already changes every cache key; this frees the old entries.
              self->send(cache, invalidate_atom::value, user_id);
              rp.deliver(state->prefs);
              release();
            },
            [=](caf::error& e) mutable {
              rp.deliver(e);
              release();
            });
      });
      return rp;
    },
    [=](suggest_atom, suggestion_request& req) {
      auto rp = self->make_response_promise();
      auto job = std::make_shared<suggestion_job>();
      job->user_id = user_id;
      job->min_users = settings.min_users;
      job->request = std::move(req);
      with_prefs([=](const caf::error& err, std::function<void()> release) mutable {
        if (!err) {
          job->role = state->profile.role;
          job->preferences = state->prefs;
          auto wanted = job->request.max_suggestions;
          job->count = wanted > 0 ? wanted : state->prefs.max_suggestions;
        }
        release();
        if (err) {
          rp.deliver(err);
          return;
        }
        // The catalog's version is part of the key, so a catalog change invalidates too.
        auto finish = [=](std::int32_t catalog_version) mutable {
          job->catalog_version = catalog_version;
          job->context_hash =
            context_hash({job->user_id, job->role, job->request.partial_query,
                          job->request.connection_id, job->preferences.version, job->count,
                          catalog_version});
          rp.delegate(cache, suggest_atom::value, std::move(*job));
        };
        auto& known = state->catalog_versions;
        if (auto i = known.find(job->request.connection_id); i != known.end())
          return finish(i->second);
        self->request(catalogs, caf::infinite, cat_ver_atom::value, job->request.connection_id)
          .then(
            [=](std::int32_t catalog_version) mutable {
              finish(note_catalog_version(job->request.connection_id, catalog_version));
            },
            [=](caf::error& e) mutable { rp.deliver(e); });
      });
      return rp;
    },
    [=](stats_atom) -> caf::result<stats_report> {
      if (!state->profile.is_admin)
        return forbidden();
      auto rp = self->make_response_promise<stats_report>();
      auto t = std::chrono::seconds(10);
      self->request(storage, t, stats_atom::value, static_cast<std::int32_t>(settings.min_users))
        .then(
          [=](usage_stats& usage) mutable {
            self->request(llm, t, stats_atom::value)
              .then(
                [=](suggestion_service_stats& live) mutable {
                  self->request(cache, t, stats_atom::value)
                    .then(
                      [=](suggestion_service_stats& c) mutable {
                        live.cache_entries = c.cache_entries;
                        live.cache_hits = c.cache_hits;
                        live.cache_misses = c.cache_misses;
                        live.cache_shared_misses = c.cache_shared_misses;
                        rp.deliver(stats_report{usage, live});
                      },
                      [=](caf::error& err) mutable { rp.deliver(err); });
                },
                [=](caf::error& err) mutable { rp.deliver(err); });
          },
          [=](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [=](user_add_atom a, new_user& nu) { return admin_only(a, std::move(nu)); },
    [=](cat_put_atom a, connection_catalog& c) { return admin_only(a, std::move(c)); },
    [=](cat_get_atom a, std::string& id) { return admin_only(a, std::move(id)); },
    [=](cat_list_atom a) { return admin_only(a); },
    [=](log_atom, activity_row& row) -> caf::result<logged_activity> {
      // Identity and context come from the session, never from the client.
      row.user_id = user_id;
      row.role = state->profile.role;
      // A rating without a named activity rates the user's latest query.
      if (row.activity_type == "feedback" && row.rated_activity_id == 0)
        for (auto i = state->recent.rbegin(); i != state->recent.rend(); ++i)
          if (i->activity_type == "query") {
            row.rated_activity_id = i->id;
            row.metadata_json = with_member(row.metadata_json, "activity_id", i->id);
            break;
          }
      row.metadata_json = enrich_metadata(row.metadata_json, state->profile);
      auto rp = self->make_response_promise<logged_activity>();
      // No timeout of our own: the writer always answers (commit, failure or overload), and the
      // request bridge's deadline still bounds the wait. 0.17 never cancels request timeouts,
      // so a finite one here would cost a stale clock entry per activity.
      self->request(writer, caf::infinite, write_atom::value, std::move(row))
        .then(
          [=](logged_activity& ack) mutable {
            state->recent.push_back(ack);
            if (state->recent.size() > session_recent_activities)
              state->recent.pop_front();
            rp.deliver(std::move(ack));
          },
          [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [=](patterns_atom, patterns_query& q) {
      q.user_id = user_id;
      q.role = state->profile.role;
      return self->delegate(storage, pat_read_atom::value, std::move(q));
    },
    [=](history_atom a, history_query& q) {
      q.user_id = user_id; // one user never sees another's rows
      return self->delegate(storage, a, std::move(q));
    },
    [=](cat_ver_atom, const std::string& id, std::int32_t version) {
      note_catalog_version(id, version);
    },
    // The manager retires idle sessions; everything it forwarded before is handled by then.
    [=](stop_atom) { self->quit(); },
  };
}

} // namespace foresight
