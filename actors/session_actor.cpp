// session_actor: loads the profile first (nothing else is handled until it arrives), then checks
// permissions and hands storage work to the pool.
#include "actors/session_actor.hpp"

#include <ctime>
#include <deque>
#include <mutex>
#include <random>
#include <unordered_map>

#include "actors/catalog_registry.hpp"
#include "actors/crowd.hpp"
#include "actors/group_subscription.hpp"
#include "actors/messages.hpp"
#include "actors/suggestion_cache.hpp"
#include "core/activity.hpp"
#include "core/cache_key.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/preference_queue.hpp"
#include "core/preferences.hpp"
#include "core/question_ranker.hpp"
#include "core/question_shape.hpp"
#include "core/timestamp.hpp"

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
  preference_queue<suggestion_preferences, prefs_op> prefs;
  /// Catalog versions seen, kept current by the registry's group (saves a hop per suggestion).
  std::unordered_map<std::string, std::int32_t> catalog_versions;

  /// The user's questions, loaded on the first suggestion request, then kept current with every
  /// committed activity of theirs (their own logs at once, imports through the registry).
  question_history questions;
  enum class loading { not_yet, running, done } questions_state = loading::not_yet;
  std::vector<std::function<void()>> questions_waiting;
  std::vector<learn_batch> learned_while_loading;
  /// Catalog indexes by connection, to read the user's questions with.
  struct connection_index {
    std::int32_t version = -1;
    std::shared_ptr<const catalog_index> index;
    bool asking = false;
    std::vector<std::function<void()>> waiting;
  };
  std::unordered_map<std::string, connection_index> indexes;
  /// The crowd's answers by connection, previous template and typed key, briefly: they change
  /// slowly.
  struct crowd_entry {
    crowd_view view;
    std::int64_t until = 0; ///< steady-clock milliseconds
  };
  std::unordered_map<std::string, crowd_entry> crowd_seen;
  /// Question scores by connection, typed key and previous template, reused while valid (see
  /// rank_and_fill).
  struct ranking {
    std::uint64_t id = 0; ///< the cache keeps the merged list per id
    std::shared_ptr<const question_scores> scores;
    std::uint64_t history_version = 0;
    std::int64_t crowd_serial = 0;
    std::int64_t since = 0, until = 0; ///< ranking-clock seconds it holds for
  };
  std::unordered_map<std::string, ranking> rankings;
  /// The questions picked per context hash, from the scores of ranking `scores_id`.
  struct picked {
    std::uint64_t scores_id = 0;
    std::vector<ranked_question> ranked;
  };
  std::unordered_map<std::string, picked> picks;
  /// Ranking ids: random at birth, so a later session of the same user never repeats one.
  std::uint64_t rankings_made = std::random_device{}() * 0x100000000ull;
};

/// One index per catalog version for all sessions: building it per session cost memory, and
/// the ranker's per-thread memo of generalised texts holds for one index at a time.
std::shared_ptr<const catalog_index> shared_catalog_index(const connection_catalog& c) {
  static std::mutex mtx;
  static std::unordered_map<std::string, std::weak_ptr<const catalog_index>> known;
  auto key = c.id + '\n' + std::to_string(c.version);
  std::lock_guard<std::mutex> lock{mtx};
  if (auto kept = known[key].lock())
    return kept;
  auto made = std::make_shared<const catalog_index>(c);
  known[key] = made;
  if (known.size() > 1000)
    for (auto i = known.begin(); i != known.end();)
      i = i->second.expired() ? known.erase(i) : std::next(i);
  return made;
}

std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

/// How long the crowd's answer for one context is reused (it changes slowly).
constexpr std::int64_t crowd_reuse_ms = 3000;
/// How long a ranking may be reused when nothing it depends on changed (decay is slow).
constexpr std::int64_t ranking_reuse_s = 30;

/// Starts the next queued preference operation unless one is running; loads the preferences
/// first if needed (a failed load is passed to the operation and retried by the next one).
void pump_prefs(session_actor::pointer self, std::shared_ptr<session_state> st,
                storage_actor storage, std::string user_id) {
  auto step = st->prefs.next();
  if (!step)
    return;
  std::weak_ptr<session_state> weak = st;
  auto release = [=] {
    if (auto s = weak.lock()) {
      s->prefs.done();
      pump_prefs(self, s, storage, user_id);
    }
  };
  auto op = std::move(step->op);
  if (!step->load_first)
    return op(caf::error{}, release);
  self->request(storage, std::chrono::seconds(10), prefs_get_atom::value, user_id)
    .then(
      [=](suggestion_preferences& p) {
        st->prefs.set(std::move(p));
        op(caf::error{}, release);
      },
      [=](caf::error& err) { op(err, release); });
}

caf::error forbidden() {
  return to_caf_error(make_error(error_code::forbidden, "this operation needs an admin user"));
}

} // namespace

session_actor::behavior_type user_session(session_actor::pointer self, session_settings settings,
                                          session_peers peers) {
  auto storage = peers.storage;
  auto writer = peers.writer;
  auto registry = peers.registry;
  auto catalogs = peers.catalogs;
  auto cache = peers.cache;
  auto cache_shards = peers.cache_shards;
  auto llm = peers.llm;
  auto crowd = peers.crowd;
  auto state = std::make_shared<session_state>();
  state->questions = question_history(static_cast<std::size_t>(settings.question_history));
  // The user's ranking strategy: their arm of the experiment, the same on every request.
  auto strategy = settings.experiment.empty() ? settings.strategy
                                              : arm_for(settings.experiment, settings.user_id);
  auto& alive = metrics_registry::instance().get_gauge("foresight_sessions_alive",
                                                       "user session actors alive");
  alive.add(1);
  self->attach_functor([&alive] { alive.add(-1); });
  auto user_id = settings.user_id;
  join_group(self, catalog_versions_group(self->system()));
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
        leave_group(self, catalog_versions_group(self->system()));
        // Not a typed behavior: everything but `stop_atom` goes to the default handler.
        self->set_default_handler([=](caf::scheduled_actor*, caf::message_view&)
                                    -> caf::result<caf::message> { return reason; });
        self->do_become(caf::behavior{[=](stop_atom) { self->quit(); }}, true);
        self->send(registry, idle_atom::value, user_id);
      });
  auto is_admin = [=] { return state->profile.is_admin; };
  // A job goes straight to the shard owning its hash; through the supervisor only while that
  // shard restarts.
  auto to_cache = [=](suggestion_job&& job, caf::response_promise& rp) {
    if (auto shard = cache_shards ? cache_shards->shard_for(job.context_hash) : cache_shard_actor{})
      rp.delegate(shard, suggest_atom::value, std::move(job));
    else
      rp.delegate(cache, suggest_atom::value, std::move(job));
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
    state->prefs.push(std::move(op));
    pump_prefs(self, state, storage, user_id);
  };
  // The catalog index of a connection, at least of `version` (an unknown connection: none).
  auto with_index = [=](const std::string& connection_id, std::int32_t version,
                        std::function<void(std::shared_ptr<const catalog_index>)> use) {
    auto& ci = state->indexes[connection_id];
    if (ci.index && ci.version >= version)
      return use(ci.index);
    ci.waiting.push_back([=] { use(state->indexes[connection_id].index); });
    if (ci.asking)
      return;
    ci.asking = true;
    auto done = [=](std::int32_t got, std::shared_ptr<const catalog_index> index) {
      auto& ci = state->indexes[connection_id];
      auto changed = ci.index != nullptr;
      ci.asking = false;
      ci.version = std::max(got, version);
      ci.index = std::move(index);
      if (changed)
        state->questions.redescribe(connection_id, *ci.index);
      auto waiting = std::move(ci.waiting);
      ci.waiting.clear();
      for (auto& w : waiting)
        w();
    };
    self->request(catalogs, std::chrono::seconds(10), cat_get_atom::value, connection_id)
      .then([=](connection_catalog& c) { done(c.version, shared_catalog_index(c)); },
            [=](caf::error&) { done(version, std::make_shared<const catalog_index>()); });
  };
  // One committed activity of the user's into their question history; then `done`.
  auto learn = [=](const learned_activity& a, std::function<void()> done) {
    if (a.activity_type == "query") {
      // A load can bring a question the session learned at its ack: describing a question
      // costs more than looking its id up.
      if (state->questions.knows(a.id))
        return done();
      with_index(a.connection_id, 0, [=](std::shared_ptr<const catalog_index> index) {
        asked_question q;
        if (to_asked_question(a, *index, q))
          state->questions.add(std::move(q));
        done();
      });
      return;
    }
    if (a.activity_type == "suggestion_click" && !a.suggestion_clicked.empty())
      state->questions.click(masked_shape(a.suggestion_clicked));
    else if (a.activity_type == "feedback" && a.rated_activity_id != 0 && a.feedback_rating > 0)
      state->questions.rate(a.rated_activity_id, a.feedback_rating);
    done();
  };
  auto learn_all = [=](std::vector<learned_activity> items, std::function<void()> done) {
    auto left = std::make_shared<std::size_t>(items.size() + 1);
    auto one_done = [=] {
      if (--*left == 0)
        done();
    };
    for (auto& a : items)
      learn(a, one_done);
    one_done();
  };
  // Runs `use` once the user's question history is loaded (loading it on first use).
  auto with_questions = [=](std::function<void()> use) {
    if (state->questions_state == session_state::loading::done)
      return use();
    state->questions_waiting.push_back(std::move(use));
    if (state->questions_state == session_state::loading::running)
      return;
    state->questions_state = session_state::loading::running;
    auto finish = [=] {
      state->questions_state = session_state::loading::done;
      auto later = std::move(state->learned_while_loading);
      state->learned_while_loading.clear();
      for (auto& b : later)
        learn_all(std::move(b.items), [] {});
      auto waiting = std::move(state->questions_waiting);
      state->questions_waiting.clear();
      for (auto& w : waiting)
        w();
    };
    self->request(storage, std::chrono::seconds(30), questions_atom::value, user_id,
                  static_cast<std::int32_t>(settings.question_history))
      .then([=](learn_batch& b) { learn_all(std::move(b.items), finish); },
            [=](caf::error&) {
              // Suggestions go on without the history; the next session loads it again.
              finish();
            });
  };
  // The crowd's part for a context, reused for a few seconds; `use` gets the view and a serial
  // that changes whenever the view may have.
  auto with_crowd = [=](const std::string& connection_id, const std::string& previous_template,
                        const std::string& typed_word,
                        std::function<void(const crowd_view&, std::int64_t)> use) {
    auto key = connection_id + '\n' + previous_template + '\n' + typed_word;
    auto now = steady_ms();
    if (auto i = state->crowd_seen.find(key); i != state->crowd_seen.end() && i->second.until > now)
      return use(i->second.view, i->second.until);
    if (!crowd)
      return use(crowd_view{}, 0);
    self->request(crowd, std::chrono::seconds(2), crowd_atom::value, user_id, state->profile.role,
                  connection_id, previous_template, typed_word)
      .then(
        [=](crowd_view& v) {
          if (state->crowd_seen.size() > 64)
            state->crowd_seen.clear();
          auto until = steady_ms() + crowd_reuse_ms;
          auto& e = state->crowd_seen[key];
          e = {std::move(v), until};
          use(e.view, until);
        },
        [=](caf::error& e) {
          log_event("warn", "crowd did not answer; ranking without it",
                    {{"user_id", user_id}, {"error", caf::to_string(e)}});
          use(crowd_view{}, -steady_ms());
        });
  };
  // The ranked questions go with the job; the cache shard lists them before its own (templates,
  // rules, the LLM) and answers directly. A ranking is reused while nothing it depends on changed
  // (the user's history, the crowd's answer, the session's context, half a minute), and the
  // shard keeps its merge per ranking id: a repeated request costs what a cache hit did before.
  auto rank_and_fill = [=](std::shared_ptr<suggestion_job> job, caf::response_promise rp) mutable {
    std::int64_t now = 0;
    if (job->request.as_of.empty() || !parse_iso8601(job->request.as_of, now))
      now = std::time(nullptr);
    auto conn = job->request.connection_id;
    with_questions([=]() mutable {
      with_index(conn, job->catalog_version, [=](std::shared_ptr<const catalog_index> index) mutable {
        std::string previous;
        auto until = now + ranking_reuse_s;
        auto& asked = state->questions.questions();
        for (auto i = asked.rbegin(); i != asked.rend(); ++i)
          if (i->connection_id == conn && i->at <= now + 60) {
            if (now - i->at <= session_gap_seconds) {
              previous = i->template_text;
              until = std::min(until, i->at + session_gap_seconds);
            }
            break;
          }
        with_crowd(conn, previous, crowd_key_of(job->request.partial_query),
                   [=](const crowd_view& crowd_part, std::int64_t crowd_serial) mutable {
          rank_request rr;
          rr.now = now;
          rr.connection_id = conn;
          rr.partial = job->request.partial_query;
          rr.count = job->count;
          rr.excluded_metrics = job->preferences.excluded_metrics;
          rr.preferred_metrics = job->preferences.preferred_metrics;
          rr.preferred_dimensions = job->preferences.preferred_dimensions;
          rr.preferred_types = job->preferences.preferred_query_types;
          // The scores hold for every keystroke of this context; picking is per request.
          auto key = conn + '\n' + crowd_key_of(rr.partial) + '\n' + previous;
          auto& memos = state->rankings;
          if (memos.size() > 256 && !memos.count(key))
            memos.clear();
          auto& m = memos[key];
          if (!m.scores || m.history_version != state->questions.version() ||
              m.crowd_serial != crowd_serial || now < m.since || now > m.until) {
            m = session_state::ranking{};
            m.id = ++state->rankings_made;
            m.scores = std::make_shared<const question_scores>(
              score_questions(state->questions, crowd_part, now, conn, *index));
            m.history_version = state->questions.version();
            m.crowd_serial = crowd_serial;
            m.since = now;
            m.until = until;
          }
          // The same request again (context hash: partial, count, preferences, catalog) picks
          // the same questions from the same scores.
          auto& pick = state->picks[job->context_hash];
          if (pick.scores_id != m.id) {
            // A few dozen: contexts change with every preference and catalog version, and 1,024
            // lists per session came to 500 MB for 200 busy users (bench/README.md, soak).
            if (state->picks.size() > 64)
              state->picks.clear();
            auto& fresh = state->picks[job->context_hash];
            fresh.ranked = pick_questions(*m.scores, rr, *index);
            fresh.scores_id = m.id;
            job->ranked = fresh.ranked;
          } else {
            job->ranked = pick.ranked;
          }
          job->ranking_id = m.id;
          to_cache(std::move(*job), rp);
        });
      });
    });
  };
  return {
    [=](learned_atom, learn_batch& b) {
      switch (state->questions_state) {
        case session_state::loading::not_yet: return; // the load will read them
        case session_state::loading::running:
          state->learned_while_loading.push_back(std::move(b));
          return;
        case session_state::loading::done: learn_all(std::move(b.items), [] {});
      }
    },
    [=](profile_atom) { return state->profile; },
    [=](prefs_get_atom) {
      auto rp = self->make_response_promise<suggestion_preferences>();
      with_prefs([=](const caf::error& err, std::function<void()> release) mutable {
        if (err)
          rp.deliver(err);
        else
          rp.deliver(state->prefs.prefs());
        release();
      });
      return rp;
    },
    [=](prefs_put_atom, preferences_update& u) {
      auto rp = self->make_response_promise<suggestion_preferences>();
      with_prefs([=](const caf::error& err, std::function<void()> release) mutable {
        auto next = state->prefs.prefs();
        if (err || !apply_preferences_update(next, u)) {
          err ? rp.deliver(err) : rp.deliver(state->prefs.prefs());
          return release();
        }
        self->request(storage, std::chrono::seconds(10), prefs_put_atom::value, next)
          .then(
            [=](suggestion_preferences& stored) mutable {
              state->prefs.set(std::move(stored));
              // The new version already changes every cache key; this frees the old entries.
              self->send(cache, invalidate_atom::value, user_id);
              rp.deliver(state->prefs.prefs());
              release();
            },
            [=](caf::error& e) mutable {
              rp.deliver(e);
              release();
            });
      });
      return rp;
    },
    [=](suggest_atom, suggestion_request& req) -> caf::result<suggestion_list> {
      auto rp = self->make_response_promise();
      auto job = std::make_shared<suggestion_job>();
      job->user_id = user_id;
      job->min_users = settings.min_users;
      job->request = std::move(req);
      with_prefs([=](const caf::error& err, std::function<void()> release) mutable {
        if (!err) {
          job->role = state->profile.role;
          job->preferences = state->prefs.prefs();
          auto wanted = job->request.max_suggestions;
          job->count = wanted > 0 ? wanted : state->prefs.prefs().max_suggestions;
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
          job->arm = strategy;
          if (strategy == strategy_templates)
            to_cache(std::move(*job), rp);
          else
            rank_and_fill(job, rp);
        };
        auto& known = state->catalog_versions;
        if (auto i = known.find(job->request.connection_id); i != known.end())
          return finish(i->second);
        self->request(catalogs, caf::infinite, catalog_version_atom::value, job->request.connection_id)
          .then(
            [=](std::int32_t catalog_version) mutable {
              finish(note_catalog_version(job->request.connection_id, catalog_version));
            },
            [=](caf::error& e) mutable { rp.deliver(e); });
      });
      return rp;
    },
    [=](stats_atom) -> caf::result<stats_report> {
      if (!is_admin())
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
    // Changes name their admin, for the audit trail.
    [=](user_add_atom a, new_user& nu) -> caf::result<user_profile> {
      if (!is_admin())
        return forbidden();
      return self->delegate(storage, a, user_id, std::move(nu));
    },
    [=](cat_put_atom a, connection_catalog& c) -> caf::result<connection_catalog> {
      if (!is_admin())
        return forbidden();
      return self->delegate(storage, a, user_id, std::move(c));
    },
    [=](audit_atom a, history_query& q) -> caf::result<activity_page> {
      if (!is_admin())
        return forbidden();
      return self->delegate(storage, a, std::move(q));
    },
    // Every user may read catalogs: the console's preference panel and query box choose from
    // their metric and dimension names. Writing them is for admins.
    [=](cat_get_atom a, std::string& id) { return self->delegate(storage, a, std::move(id)); },
    [=](cat_list_atom a) { return self->delegate(storage, a); },
    // Users erase their own data; only an admin erases another user's, or deletes an account.
    [=](erase_atom a, std::string& target, bool delete_account,
        std::int32_t rebuild_days) -> caf::result<erase_report> {
      if ((target != user_id || delete_account) && !is_admin())
        return forbidden();
      return self->delegate(storage, a, user_id, std::move(target), delete_account, rebuild_days);
    },
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
      // A click counts for the strategy that showed the suggestion (A/B click-through).
      if (row.activity_type == "suggestion_click")
        row.metadata_json = with_member(row.metadata_json, "arm", strategy);
      // What the ranker needs of the row, before it moves on: the session learns its own rows
      // at their ack, and the registry does not pass them back (session_serial).
      row.session_serial = settings.serial;
      // The id comes with the ack; a rating finds its question by id here, not by text.
      auto own = std::make_shared<learned_activity>(learned_from(
        row, 0, row.created_at.empty() ? format_iso8601(std::time(nullptr)) : row.created_at, {}));
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
            // Not yet loaded: the load reads it. A replayed key: learned the first time.
            if (ack.replayed || state->questions_state == session_state::loading::not_yet) {
              rp.deliver(std::move(ack));
              return;
            }
            own->id = ack.id;
            // The next suggestion request must already know the question just asked. Clicks
            // and ratings that arrive while the history loads wait for it, as the registry's
            // did: they only add to what the load brings.
            if (own->activity_type != "query" &&
                state->questions_state == session_state::loading::running) {
              state->learned_while_loading.push_back(learn_batch{{*own}});
              rp.deliver(std::move(ack));
              return;
            }
            learn(*own, [=]() mutable { rp.deliver(ack); });
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
    [=](catalog_changed_atom, const std::string& id, std::int32_t version) {
      note_catalog_version(id, version);
    },
    // The registry retires idle sessions; everything it forwarded before is handled by then.
    [=](stop_atom) { self->quit(); },
  };
}

} // namespace foresight
