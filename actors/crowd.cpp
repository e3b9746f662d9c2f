#include "actors/crowd.hpp"

#include <ctime>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>

#include "actors/catalog_registry.hpp"
#include "actors/group_subscription.hpp"
#include "actors/messages.hpp"
#include "actors/supervision.hpp"
#include "core/crowd_book.hpp"
#include "core/log.hpp"

namespace foresight {

namespace {

using loaded_atom = caf::atom_constant<caf::atom("loaded")>;
using reload_atom = caf::atom_constant<caf::atom("reload")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;

constexpr std::int32_t load_page = 5000;

struct known_index {
  std::int32_t version = -1;
  std::shared_ptr<const catalog_index> index;
  bool asking = false;
  std::deque<learned_activity> waiting; ///< rows that arrived while the catalog was asked for
};

struct crowd_state {
  crowd_book book{2}; ///< replaced with the configured k at start
  std::unordered_map<std::string, known_index> catalogs;
  bool loading = true;
  std::int64_t loaded_up_to = 0;             ///< the start-up load's last id
  std::int64_t loaded_rows = 0;
  std::deque<learn_batch> live_while_loading; ///< applied once the load is done
  static inline const char* name = "crowd";
};

/// The crowd itself, under its supervisor: the questions, the two groups it listens to, and its
/// own timers (`refresh_atom` re-ranks, `reload_atom` retries a failed page of the start-up load,
/// `loaded_atom` ends it).
using crowd_member_actor = caf::typed_actor<
  caf::replies_to<crowd_atom, std::string, std::string, std::string, std::string,
                  std::string>::with<crowd_view>,
  caf::reacts_to<learned_atom, learn_batch>,
  caf::reacts_to<catalog_changed_atom, std::string, std::int32_t>,
  caf::reacts_to<refresh_atom>,
  caf::reacts_to<reload_atom, std::int64_t>,
  caf::reacts_to<loaded_atom>>;

} // namespace

caf::group learned_activities_group(caf::actor_system& sys) {
  return sys.groups().get_local("foresight.learned");
}

namespace {

crowd_member_actor::behavior_type crowd(crowd_member_actor::stateful_pointer<crowd_state> self,
                                        storage_actor storage, catalog_registry_actor catalogs,
                                        int min_users) {
  self->state.book = crowd_book(min_users);
  join_group(self, learned_activities_group(self->system()));
  join_group(self, catalog_versions_group(self->system()));
  static const catalog_index no_catalog;

  // Questions on a connection wait, in order, until its catalog is known.
  std::function<void(const learned_activity&)> apply;
  auto add = [=](const learned_activity& a, const known_index& k) {
    asked_question q;
    if (to_asked_question(a, k.index ? *k.index : no_catalog, q))
      self->state.book.add(a.user_id, a.role, std::move(q));
  };
  auto drain = [=](const std::string& connection_id) {
    auto& k = self->state.catalogs[connection_id];
    while (!k.waiting.empty() && !k.asking) {
      auto a = std::move(k.waiting.front());
      k.waiting.pop_front();
      add(a, k);
    }
  };
  auto ask_catalog = [=](const std::string& connection_id) {
    auto& k = self->state.catalogs[connection_id];
    if (k.asking)
      return;
    k.asking = true;
    self->request(catalogs, std::chrono::seconds(10), cat_get_atom::value, connection_id)
      .then(
        [=](connection_catalog& c) {
          auto& k = self->state.catalogs[connection_id];
          k.asking = false;
          k.version = c.version;
          k.index = std::make_shared<const catalog_index>(c);
          drain(connection_id);
        },
        [=](caf::error&) {
          auto& k = self->state.catalogs[connection_id];
          k.asking = false;
          k.version = 0;
          drain(connection_id); // an unknown connection: no catalog terms
        });
  };
  apply = [=](const learned_activity& a) {
    if (a.activity_type != "query")
      return;
    auto& k = self->state.catalogs[a.connection_id];
    if (k.version >= 0 && !k.asking && k.waiting.empty()) {
      // The catalog is known and nothing waits before it (the usual case): no copy to queue.
      return add(a, k);
    }
    k.waiting.push_back(a);
    if (k.version < 0)
      ask_catalog(a.connection_id);
    else
      drain(a.connection_id);
  };
  auto apply_batch = [=](const learn_batch& b) {
    for (auto& a : b.items)
      apply(a);
  };
  // The start-up load: every committed question, a page at a time.
  auto load = std::make_shared<std::function<void(std::int64_t)>>();
  *load = [=](std::int64_t after) {
    self->request(storage, std::chrono::seconds(60), pat_replay_atom::value, after, load_page)
      .then(
        [=](learn_batch& page) {
          auto& st = self->state;
          for (auto& a : page.items) {
            st.loaded_up_to = a.id;
            ++st.loaded_rows;
            apply(a);
          }
          if (static_cast<std::int32_t>(page.items.size()) == load_page)
            return (*load)(st.loaded_up_to);
          self->send(self, loaded_atom::value);
        },
        [=](caf::error& err) {
          log_event("warn", "crowd: loading questions failed; retrying",
                    {{"error", to_api_error(err).message, false}});
          self->delayed_send(self, std::chrono::seconds(1), reload_atom::value, after);
        });
  };
  (*load)(0);
  self->send(self, refresh_atom::value);
  return {
    // Views use the ranking of the last refresh: a second old at most, and cheap.
    [=](refresh_atom a) {
      self->state.book.refresh();
      self->delayed_send(self, std::chrono::seconds(1), a);
    },
    [=](learned_atom, const learn_batch& b) {
      if (self->state.loading)
        self->state.live_while_loading.push_back(b);
      else
        apply_batch(b);
    },
    [=](reload_atom, std::int64_t after) { (*load)(after); },
    [=](loaded_atom) {
      auto& st = self->state;
      if (!st.loading)
        return;
      st.loading = false;
      // Live batches that the load already covered are skipped by id.
      for (auto& b : st.live_while_loading)
        for (auto& a : b.items)
          if (a.id > st.loaded_up_to)
            apply(a);
      st.live_while_loading.clear();
      st.book.refresh();
      log_event("info", "crowd loaded", {{"activities", std::to_string(st.loaded_rows), true}});
    },
    [=](catalog_changed_atom, const std::string& id, std::int32_t version) {
      auto i = self->state.catalogs.find(id);
      if (i != self->state.catalogs.end() && i->second.version >= 0 && i->second.version < version) {
        i->second.version = -1; // asked again with the next question on it
        ask_catalog(id);
      }
    },
    [=](crowd_atom, const std::string& user, const std::string& role,
        const std::string& connection_id, const std::string& previous_template,
        const std::string& typed_word) {
      return self->state.book.view(user, role, connection_id, previous_template, typed_word, 20);
    },
  };
}

struct crowd_supervisor_state {
  std::shared_ptr<supervised_slots> child; ///< one slot
  static inline const char* name = "crowd_supervisor";
};

/// Keeps the crowd's handle stable for the sessions: passes questions on to the crowd and
/// restarts it (it reloads from the table) whenever it stops, but at shutdown.
crowd_actor::behavior_type
crowd_supervisor(crowd_actor::stateful_pointer<crowd_supervisor_state> self, storage_actor storage,
                 catalog_registry_actor catalogs, int min_users) {
  auto child = std::make_shared<supervised_slots>(
    self, "crowd", restart_policy::always(), 1, [=](std::size_t) {
      // On a thread of its own: it digests every committed question, long runs of work that,
      // on a scheduler thread, held up the sessions and the writer queued behind them.
      return caf::actor_cast<caf::actor>(
        self->spawn<caf::detached>(crowd, storage, catalogs, min_users));
    });
  self->state.child = child;
  child->start_all();
  supervise(self, {child});
  return {
    [=](crowd_atom a, std::string& user, std::string& role, std::string& connection_id,
        std::string& previous_template, std::string& typed_word) -> caf::result<crowd_view> {
      auto& c = (*self->state.child)[0];
      if (!c)
        return to_caf_error(make_error(error_code::unavailable, "the crowd is restarting"));
      return self->delegate(caf::actor_cast<crowd_member_actor>(c), a, std::move(user),
                            std::move(role), std::move(connection_id),
                            std::move(previous_template), std::move(typed_word));
    },
    // A user was erased: the crowd holds no per-user undo, so a new one loads what is left.
    [=](forget_atom) {
      if (auto& c = (*self->state.child)[0])
        self->send_exit(c, caf::exit_reason::kill);
    },
  };
}

} // namespace

crowd_actor spawn_crowd(caf::actor_system& sys, storage_actor storage,
                       catalog_registry_actor catalogs, int min_users) {
  return sys.spawn(crowd_supervisor, std::move(storage), std::move(catalogs), min_users);
}

} // namespace foresight
