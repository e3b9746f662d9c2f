// pattern_learner: the shard behavior (load, replay, apply, flush) and its supervisor.
#include "actors/pattern_learner.hpp"

#include <ctime>
#include <memory>
#include <optional>

#include "actors/cluster_node.hpp"
#include "actors/crowd.hpp"
#include "actors/messages.hpp"
#include "actors/supervision.hpp"
#include "actors/thread_priority.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/pattern_book.hpp"
#include "core/save_schedule.hpp"

namespace foresight {

namespace {

constexpr int replay_page = 2000;

// -- shard ----------------------------------------------------------------------

struct shard_state {
  std::unique_ptr<pattern_book> book;
  bool flushing = false;
  std::optional<save_schedule> schedule; ///< when to save: staggered against the other shards
  static inline const char* name = "pattern_learner";
};

using shard_actor = pattern_shard_actor::stateful_base<shard_state>;

pattern_shard_actor::behavior_type pattern_shard(shard_actor* self, int shard, storage_actor storage,
                                                 learner_settings settings) {
  lower_current_thread_priority(settings.thread_nice); // spawned detached: this thread is its own
  static auto& applied = metrics_registry::instance().get_counter(
    "foresight_pattern_activities_total", "activities applied by pattern learners");
  static auto& flushes = metrics_registry::instance().get_counter(
    "foresight_pattern_flushes_total", "pattern flushes committed");
  static auto& set_aside_rows = metrics_registry::instance().get_counter(
    "foresight_pattern_rows_set_aside_total",
    "patterns the database refused for their data, kept out of the save");
  self->state.schedule.emplace(std::chrono::milliseconds(settings.flush_interval_ms),
                               std::chrono::milliseconds(settings.count_flush_interval_ms), shard,
                               pattern_shards, std::chrono::steady_clock::now());
  auto next_tick = [=] {
    self->delayed_send(self,
                       self->state.schedule->until_next_tick(std::chrono::steady_clock::now()),
                       flush_patterns_atom::value);
  };
  auto apply_all = [=](const learn_batch& b) {
    std::int64_t touched = 0;
    for (auto& a : b.items)
      touched += self->state.book->apply(a) ? 1 : 0;
    applied.add(touched);
  };
  // Recovery, in order and before any live message: stored state, catalogs, then every activity
  // after the stored watermark. `await` holds the mailbox (live activities queue meanwhile and are
  // skipped by id if the replay already covered them).
  auto replay = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak_replay = replay;
  *replay = [=] {
    self->request(storage, caf::infinite, pat_replay_atom::value, self->state.book->watermark(),
                  std::int32_t{replay_page})
      .await(
        [=](learn_batch& b) {
          apply_all(b);
          if (b.items.size() == static_cast<std::size_t>(replay_page))
            if (auto r = weak_replay.lock())
              (*r)();
        },
        [=](caf::error& err) { self->quit(err); }); // the supervisor restarts us
  };
  self->request(storage, caf::infinite, pat_load_atom::value, std::int32_t{shard})
    .await(
      [=](pattern_shard_state& st) {
        self->state.book = std::make_unique<pattern_book>(st);
        self->request(storage, caf::infinite, cat_list_atom::value)
          .await(
            [=](catalog_list& list) {
              for (auto& c : list.items)
                self->state.book->set_catalog(c);
              (*replay)();
            },
            [=](caf::error& err) { self->quit(err); });
      },
      [=](caf::error& err) { self->quit(err); });
  self->delayed_send(self, self->state.schedule->first_tick(), flush_patterns_atom::value);
  return {
    [=](learned_atom, const learn_batch& b) { apply_all(b); },
    [=](catalog_atom, const connection_catalog& c) { self->state.book->set_catalog(c); },
    [=](fault_atom) { throw std::runtime_error("injected fault (--fault-injection)"); },
    [=](flush_patterns_atom) {
      auto& st = self->state;
      // New patterns are saved at every tick, so suggestions soon hear of a new question;
      // changed counts less often, as each update rewrites the row in all six of its indexes.
      auto now = std::chrono::steady_clock::now();
      bool full = st.schedule->full_due(now);
      if (st.flushing || !(full ? st.book->has_changes() : st.book->has_new_patterns())) {
        next_tick();
        return;
      }
      if (full)
        st.schedule->full_started(now);
      // Absolute values plus a watermark, in one transaction: replaying after a crash
      // recomputes exactly what was not saved, never what was (see pattern_book).
      auto changes = std::make_shared<pattern_shard_state>(full ? st.book->take_changes()
                                                                : st.book->take_new_patterns());
      st.flushing = true;
      self->request(storage, caf::infinite, pat_save_atom::value, *changes)
        .then(
          [=](std::int64_t set_aside) {
            set_aside_rows.add(set_aside);
            self->state.flushing = false;
            self->state.book->mark_saved(changes->watermark);
            flushes.add(1);
            next_tick();
          },
          [=](caf::error& err) {
            auto api = to_api_error(err);
            if (api.code == error_code::conflict)
              return self->quit(err); // rebuilt meanwhile: restart from the new tables
            // Nothing was saved: the same keys (with any newer changes) go in the next flush.
            self->state.flushing = false;
            self->state.book->restore_changes(*changes);
            log_event("warn", "pattern flush failed; retrying",
                      {{"shard", std::to_string(shard), true}, {"error", api.message}});
            next_tick();
          });
    },
  };
}

// -- supervisor ---------------------------------------------------------------------

struct router_state {
  std::shared_ptr<supervised_slots> shards;
  bool host = false;         ///< the last learner_host_atom said so
  std::uint64_t epoch = 0;   ///< of that message
  learn_batch pending;       ///< committed activities not yet passed on
  bool publish_due = false;  ///< the fan-out timer is armed
  static inline const char* name = "pattern_router";
};

/// Milliseconds from now to the next `minute` of the UTC day.
long long ms_until_minute_of_day(int minute) {
  auto now = std::time(nullptr);
  auto into_day = static_cast<long long>(now % 86400);
  auto target = static_cast<long long>(minute) * 60;
  auto wait = target - into_day;
  if (wait <= 0)
    wait += 86400;
  return wait * 1000;
}

/// How long the router gathers committed activities before passing them on, and how many it
/// passes on at once at most.
constexpr auto learn_publish_every = std::chrono::milliseconds(20);
constexpr std::size_t learn_publish_max = 1024;

pattern_learners_actor::behavior_type
pattern_router(pattern_learners_actor::stateful_pointer<router_state> self, storage_actor storage,
               learner_settings settings) {
  // A shard that stops (crash, fault, kill after an erase or rebuild) reloads and replays.
  auto shards = std::make_shared<supervised_slots>(
    self, "pattern learner", restart_policy::always(), pattern_shards, [=](std::size_t i) {
      // The slots hold untyped handles.
      return caf::actor_cast<caf::actor>(
        self->spawn<caf::detached>(pattern_shard, static_cast<int>(i), storage, settings));
    });
  self->state.shards = shards;
  self->state.host = settings.start_active;
  if (!settings.start_active)
    shards->suspend();
  shards->start_all();
  supervise(self, {shards});
  // Looked up once: every committed batch is published on it.
  auto learned = learned_activities_group(self->system());
  // A typed actor sends only to typed handles; the slots hold untyped ones.
  auto shard = [=](const caf::actor& child) { return caf::actor_cast<pattern_shard_actor>(child); };
  auto next_rebuild = [=] {
    self->delayed_send(self,
                       std::chrono::milliseconds(ms_until_minute_of_day(settings.rebuild_at_minute)),
                       rebuild_atom::value);
  };
  if (settings.rebuild_at_minute >= 0)
    next_rebuild();
  // One message, shared and never copied, for every reader of the batch: each shard (which
  // applies what touches its user, role and global targets), this node's sessions and crowd
  // (through the group), and in a cluster the other nodes' routers, which publish it on theirs.
  // Typed senders may not send() a dynamically typed message: it is enqueued as it is.
  auto publish = [=] {
    auto& st = self->state;
    if (st.pending.items.empty())
      return;
    auto shared = caf::make_message(learned_atom::value, std::move(st.pending));
    st.pending = learn_batch{};
    auto pass = [&](caf::abstract_channel* to) {
      to->enqueue(self->ctrl(), caf::make_message_id(), shared, self->context());
    };
    for (auto& s : st.shards->children())
      if (s)
        pass(caf::actor_cast<caf::abstract_actor*>(s));
    pass(learned.get());
    if (settings.cluster) {
      auto v = settings.cluster->get();
      for (auto& [id, node] : v->services)
        if (id != v->self && node.learners)
          pass(caf::actor_cast<caf::abstract_actor*>(node.learners));
    }
  };
  // After a reset of the tables (an erase, the rebuild): the rows gathered so far go out first,
  // so the old shards drop them with their mailboxes, as they did any batch not yet applied. The
  // new shards replay from the reset tables, which no longer hold an erased user's rows; handed
  // to them after their replay, rows newer than what is left would come back.
  auto restart_shards = [=] {
    publish();
    for (auto& s : self->state.shards->children())
      if (s)
        self->send_exit(s, caf::exit_reason::kill);
  };
  return {
    [=](learn_atom, learn_batch& batch) {
      // Gathered: each fan-out wakes every shard's thread, the crowd's and the registry shards,
      // and commits come hundreds of times a second under load. Learning and the crowd can trail
      // a commit by milliseconds; a session learns its own rows at their ack, not from here.
      auto& st = self->state;
      if (st.pending.items.empty())
        st.pending = std::move(batch);
      else
        st.pending.items.insert(st.pending.items.end(), std::make_move_iterator(batch.items.begin()),
                                std::make_move_iterator(batch.items.end()));
      if (st.pending.items.size() >= learn_publish_max)
        return publish();
      if (!st.publish_due) {
        st.publish_due = true;
        self->delayed_send(self, learn_publish_every, learn_publish_atom::value);
      }
    },
    [=](learn_publish_atom) {
      self->state.publish_due = false;
      publish();
    },
    [=](learned_atom a, const learn_batch& batch) {
      caf::anon_send(learned, a, batch);
    },
    [=](learner_host_atom, bool host, std::uint64_t epoch) {
      auto& st = self->state;
      st.host = host;
      st.epoch = epoch;
      if (!host) {
        if (!st.shards->suspended())
          log_event("info", "pattern learners stop: another node hosts them");
        st.shards->suspend();
      } else if (st.shards->suspended()) {
        self->delayed_send(self, std::chrono::milliseconds(settings.host_grace_ms),
                           learner_start_atom::value, epoch);
      }
    },
    [=](learner_start_atom, std::uint64_t epoch) {
      auto& st = self->state;
      if (st.host && st.epoch == epoch && st.shards->suspended()) {
        log_event("info", "pattern learners start: this node hosts them");
        st.shards->resume();
      }
    },
    [=](catalog_atom a, const connection_catalog& c) {
      for (auto& s : self->state.shards->children())
        if (s)
          self->send(shard(s), a, c);
    },
    // Tests (--fault-injection): the first shard fails, with unsaved counts.
    [=](fault_atom a) {
      if (auto& s = self->state.shards->children().front())
        self->send(shard(s), a);
    },
    // The tables were reset with an erase: shards restart and replay what is left.
    [=](forget_atom) { restart_shards(); },
    // The nightly rebuild (its own timer): the tables are reset, then the shards restart.
    [=](rebuild_atom) {
      if (self->state.shards->suspended()) // another node hosts the learners: its timer rebuilds
        return next_rebuild();
      auto days = std::int32_t{settings.rebuild_days};
      log_event("info", "rebuilding patterns", {{"days", std::to_string(days), true}});
      self->request(storage, caf::infinite, pat_reset_atom::value, days)
        .then(
          [=](bool) { restart_shards(); },
          [=](caf::error& err) {
            log_event("warn", "pattern rebuild failed", {{"error", to_api_error(err).message}});
          });
      next_rebuild();
    },
  };
}

} // namespace

pattern_learners_actor spawn_pattern_learners(caf::actor_system& sys, storage_actor storage,
                                              const learner_settings& settings) {
  return sys.spawn(pattern_router, std::move(storage), settings);
}

} // namespace foresight
