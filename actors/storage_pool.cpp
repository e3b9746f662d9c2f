// storage_pool: the supervisor (round-robin delegation, restart on crash) and the worker behavior,
// which runs blocking store calls and turns storage errors into API errors.
#include "actors/storage_pool.hpp"

#include "actors/guarded.hpp"
#include "actors/messages.hpp"
#include "actors/supervision.hpp"
#include "actors/typed_forwarding.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "storage/store_set.hpp"

namespace foresight {

namespace {

// -- worker -------------------------------------------------------------------

struct storage_worker_state {
  std::unique_ptr<store_set> db;
  static inline const char* name = "storage_worker";
};

using worker_actor = storage_actor::stateful_pointer<storage_worker_state>;

[[noreturn]] void fail(error_code code, std::string message) {
  throw api_exception(make_error(code, std::move(message)));
}

storage_actor::behavior_type storage_worker(worker_actor self, storage_settings settings) {
  self->state.db = std::make_unique<store_set>(settings.conninfo);
  if (settings.prefer_index_probes)
    self->state.db->db.prefer_index_probes();
  // A user's first request starts with their profile. Connecting and looking a user up now
  // spares the first sessions a new backend's connection and first catalog reads (4-11 ms each
  // under load, measured).
  guarded(*self->state.db, [](store_set& db) {
    user_profile none;
    db.users.find_user("", none);
    return true;
  });
  // Password hashing and checking never happen here (they run on the password pool): a login
  // flood must not hold up other users' queries.
  return {
    [=](login_atom, const std::string& username) {
      return guarded(*self->state.db, [&](store_set& db) {
        login_record r;
        if (!db.users.find_login(username, r.user, r.password_hash))
          r = login_record{};
        return r;
      });
    },
    [=](user_get_atom, const std::string& id) {
      return guarded(*self->state.db, [&](store_set& db) {
        user_profile u;
        if (!db.users.find_user(id, u))
          fail(error_code::not_found, "no user '" + id + "'");
        return u;
      });
    },
    [=](user_add_atom, const std::string& actor, const new_user& nu) {
      return guarded(*self->state.db, [&](store_set& db) {
        if (nu.password_hash.empty())
          fail(error_code::internal, "the new user's password was not hashed");
        return db.users.insert_user(nu, nu.password_hash, actor);
      });
    },
    [=](passwd_atom, const std::string& actor, const std::string& user_id,
        const std::string& hash) {
      return guarded(*self->state.db, [&](store_set& db) {
        auto changed_at = db.users.set_password(user_id, hash, actor);
        if (changed_at < 0)
          fail(error_code::not_found, "no user '" + user_id + "'");
        return changed_at;
      });
    },
    [=](password_changes_atom) {
      return guarded(*self->state.db, [&](store_set& db) {
        return password_change_list{db.users.password_changes()};
      });
    },
    [=](audit_atom, const history_query& q) {
      return guarded(*self->state.db, [&](store_set& db) { return db.audit.audit_log(q); });
    },
    [=](cat_put_atom, const std::string& actor, const connection_catalog& c) {
      return guarded(*self->state.db, [&](store_set& db) { return db.catalogs.put_catalog(c, actor); });
    },
    [=](cat_get_atom, const std::string& id) {
      return guarded(*self->state.db, [&](store_set& db) {
        connection_catalog c;
        if (!db.catalogs.get_catalog(id, c))
          fail(error_code::not_found, "no connection '" + id + "'");
        return c;
      });
    },
    [=](cat_list_atom) {
      return guarded(*self->state.db, [&](store_set& db) { return db.catalogs.list_catalogs(); });
    },
    [=](history_atom, const history_query& q) {
      return guarded(*self->state.db, [&](store_set& db) { return db.activities.activity_history(q); });
    },
    [=](pat_load_atom, std::int32_t shard) {
      return guarded(*self->state.db, [&](store_set& db) { return db.patterns.load_pattern_shard(shard); });
    },
    [=](pat_replay_atom, std::int64_t after_id, std::int32_t limit) {
      return guarded(*self->state.db,
                     [&](store_set& db) { return db.activities.replay_activities(after_id, limit); });
    },
    [=](questions_atom, const std::string& user_id, std::int32_t limit) {
      return guarded(*self->state.db,
                     [&](store_set& db) { return db.activities.recent_activities(user_id, limit); });
    },
    [=](pat_save_atom, const pattern_shard_state& state) {
      return guarded(*self->state.db,
                     [&](store_set& db) { return db.patterns.save_pattern_shard(state); });
    },
    [=](pat_reset_atom, std::int32_t days) {
      return guarded(*self->state.db, [&](store_set& db) {
        db.patterns.reset_patterns(days);
        return true;
      });
    },
    [=](erase_atom, const std::string& actor, const std::string& user_id, bool delete_account,
        std::int32_t rebuild_days) {
      return guarded(*self->state.db, [&](store_set& db) {
        return db.users.erase_user(actor, user_id, delete_account, rebuild_days);
      });
    },
    [=](pat_read_atom, const patterns_query& q) {
      return guarded(*self->state.db, [&](store_set& db) { return db.patterns.read_patterns(q); });
    },
    [=](ready_atom) {
      return guarded(*self->state.db, [&](store_set& db) { return db.schema.readiness(); });
    },
    [=](prefs_get_atom, const std::string& user_id) {
      return guarded(*self->state.db, [&](store_set& db) { return db.preferences.load_preferences(user_id); });
    },
    [=](prefs_put_atom, const suggestion_preferences& p) {
      return guarded(*self->state.db, [&](store_set& db) { return db.preferences.save_preferences(p); });
    },
    [=](hints_atom, const std::string& user_id, const std::string& role, std::int32_t min_users,
        std::int32_t limit, bool shared_scopes) {
      return guarded(*self->state.db, [&](store_set& db) {
        return db.patterns.read_pattern_hints(user_id, role, min_users, limit, shared_scopes);
      });
    },
    [=](cache_load_atom, std::int32_t limit) {
      return guarded(*self->state.db, [&](store_set& db) { return db.suggestion_cache.load_suggestion_cache(limit); });
    },
    [=](cache_write_atom, const cache_writes& w) {
      return guarded(*self->state.db, [&](store_set& db) {
        db.suggestion_cache.write_suggestion_cache(w);
        return true;
      });
    },
    [=](retain_atom, std::int32_t days, std::int32_t limit) {
      return guarded(*self->state.db,
                     [&](store_set& db) { return db.activities.drop_old_result_rows(days, limit); });
    },
    [=](cache_purge_atom) {
      return guarded(*self->state.db, [&](store_set& db) { return db.suggestion_cache.purge_expired_suggestions(); });
    },
    [=](llm_usage_atom) {
      return guarded(*self->state.db, [&](store_set& db) { return db.llm_usage.load_llm_usage_today(); });
    },
    [=](llm_spent_atom, const std::vector<llm_usage_row>& rows) {
      return guarded(*self->state.db, [&](store_set& db) {
        db.llm_usage.record_llm_usage(rows);
        return true;
      });
    },
    [=](stats_atom, std::int32_t min_users) {
      return guarded(*self->state.db, [&](store_set& db) { return db.stats.read_usage_stats(min_users); });
    },
    [=](fault_atom) { throw std::runtime_error("injected fault (--fault-injection)"); },
  };
}

// -- supervisor ---------------------------------------------------------------

struct storage_pool_state {
  std::shared_ptr<supervised_slots> workers;
  std::size_t next = 0;
  static inline const char* name = "storage_pool";
};

storage_actor::behavior_type
storage_pool(storage_actor::stateful_pointer<storage_pool_state> self, storage_settings settings) {
  auto& busy = metrics_registry::instance().get_gauge("foresight_db_pool_workers",
                                                      "storage workers alive, in every pool (one connection each)");
  auto workers = std::make_shared<supervised_slots>(
    self, "storage worker", restart_policy::on_failure(),
    static_cast<std::size_t>(settings.workers), [=](std::size_t) {
      return caf::actor_cast<caf::actor>(self->spawn<caf::detached>(storage_worker, settings));
    });
  workers->on_started = [&busy](std::size_t, const caf::actor&) { busy.add(1); };
  workers->on_stopped = [&busy](std::size_t) { busy.add(-1); };
  self->state.workers = workers;
  workers->start_all();
  supervise(self, {workers});
  // Every storage request is handed to the next live worker, which answers the requester
  // directly. The slots hold untyped handles of typed workers.
  auto next_worker = [=]() -> storage_actor {
    auto& ws = *self->state.workers;
    for (std::size_t tries = 0; tries < ws.size(); ++tries)
      if (auto& w = ws[self->state.next++ % ws.size()])
        return caf::actor_cast<storage_actor>(w);
    return {};
  };
  return forward_every_message<storage_actor>(self, next_worker, [] {
    return to_caf_error(make_error(error_code::unavailable, "no storage worker is running"));
  });
}

} // namespace

storage_actor spawn_storage_pool(caf::actor_system& sys, const storage_settings& settings) {
  return sys.spawn(storage_pool, settings);
}

} // namespace foresight
