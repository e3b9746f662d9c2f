// suggestion_cache: the shards and their supervisor.
#include "actors/suggestion_cache.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <utility>
#include <unordered_map>
#include <vector>

#include "actors/messages.hpp"
#include "actors/supervision.hpp"
#include "core/cache_entry_store.hpp"
#include "core/freshness_table.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/question_ranker.hpp"
#include "core/suggestion_source.hpp"
#include "core/suggestions.hpp"
#include "core/write_behind_buffer.hpp"
#include "llm/llm_prompt.hpp"

namespace foresight {

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct cache_metrics {
  gauge& entries = metrics_registry::instance().get_gauge(
    "foresight_suggestion_cache_entries", "suggestion lists held in memory");
  gauge& hits = metrics_registry::instance().get_counter(
    "foresight_suggestion_cache_hits_total", "suggestion requests answered from the cache");
  gauge& misses = metrics_registry::instance().get_counter(
    "foresight_suggestion_cache_misses_total", "suggestion requests that generated a list");
  gauge& shared = metrics_registry::instance().get_counter(
    "foresight_suggestion_cache_shared_misses_total",
    "misses that joined an identical generation already running");
  gauge& writes_dropped = metrics_registry::instance().get_counter(
    "foresight_suggestion_cache_writes_dropped_total",
    "cache rows not written because the database fell behind");
  static cache_metrics& get() {
    static cache_metrics m;
    return m;
  }
};

/// A catalog and its phrase index, built once per catalog version rather than once per miss.
struct known_catalog {
  connection_catalog catalog;
  std::shared_ptr<const catalog_index> index;
  explicit known_catalog(connection_catalog c)
    : catalog(std::move(c)), index(std::make_shared<const catalog_index>(catalog)) {}
};

/// Learned patterns as misses use them, with the template texts every answer lists, ranked once
/// per read instead of once per miss, and the generator's memo for them.
struct known_hints {
  pattern_hints hints;
  std::vector<std::string> user_texts, role_texts; ///< best first, at most 5
  /// Shared by the shards (safe to use from several threads); mutable because the patterns
  /// themselves are shared const.
  mutable suggestion_memo memo;
  explicit known_hints(pattern_hints h)
    : hints(std::move(h)), user_texts(template_texts(hints.user, 5)),
      role_texts(template_texts(hints.role, 5)) {}
};

/// What the shards of one pool share: one known_hints per user and set of patterns, so one
/// generator memo per user however many shards generate for that user, and one known_catalog per
/// catalog version, so that the memo's answerable() results hold in every shard (they hold for
/// one index). Each shard keeping its own made the memos' work and memory grow with the shards:
/// with 4 shards the pattern path was slower than with 2, and with 16 half as fast.
class shared_knowledge {
public:
  /// The user's known patterns: the ones another shard already holds if they are equal.
  std::shared_ptr<const known_hints> hints(const std::string& user_key, pattern_hints h) {
    std::lock_guard<std::mutex> lock{mtx_};
    auto& slot = hints_[user_key];
    if (auto known = slot.lock(); known && known->hints == h)
      return known;
    auto made = std::make_shared<const known_hints>(std::move(h));
    slot = made;
    forget_unused(hints_);
    return made;
  }

  /// The catalog with its index: the one another shard already holds if it is the same version.
  std::shared_ptr<const known_catalog> catalog(connection_catalog c) {
    std::lock_guard<std::mutex> lock{mtx_};
    auto& slot = catalogs_[c.id];
    if (auto known = slot.lock(); known && known->catalog.version == c.version)
      return known;
    auto made = std::make_shared<const known_catalog>(std::move(c));
    slot = made;
    forget_unused(catalogs_);
    return made;
  }

private:
  /// Entries live as long as some shard uses them; the table only points at them.
  template <class Table>
  static void forget_unused(Table& t) {
    if (t.size() < 20000)
      return;
    for (auto i = t.begin(); i != t.end();)
      i = i->second.expired() ? t.erase(i) : std::next(i);
  }

  std::mutex mtx_;
  std::unordered_map<std::string, std::weak_ptr<const known_hints>> hints_;
  std::unordered_map<std::string, std::weak_ptr<const known_catalog>> catalogs_;
};

/// One miss being generated: the job, its patterns and everyone waiting for the answer.
struct generation {
  suggestion_job job;
  std::shared_ptr<const known_catalog> catalog; ///< shared with the shard's catalogs
  std::shared_ptr<const known_hints> hints; ///< shared with the shard's recent_hints
  std::optional<suggestion_context> ctx; ///< refers to the members above: never moved
  std::int64_t started_ms = 0;
  std::vector<caf::typed_response_promise<suggestion_list>> waiters;
  /// Each waiter's ranking (job.ranked, job.ranking_id): what goes before the generated list.
  std::vector<std::pair<std::vector<ranked_question>, std::uint64_t>> rankings;
};

cache_entry new_entry(suggestion_list list, std::string user_id, std::int64_t expires_ms) {
  cache_entry e;
  e.list = std::move(list);
  e.user_id = std::move(user_id);
  e.expires_ms = expires_ms;
  return e;
}

/// The session's ranked questions, then the generated list.
suggestion_list personalised(const suggestion_list& generated,
                             const std::vector<ranked_question>& ranked,
                             const suggestion_job& job, const catalog_index& index) {
  auto list = generated;
  list.suggestions = merge_suggestions(ranked, generated.suggestions, job.count, job.preferences,
                                       index);
  list.suggestions_json = suggestions_json(list.suggestions);
  return list;
}

/// Learned patterns as read from storage, with how long they may be used.
using timed_hints = freshness_table<std::shared_ptr<const known_hints>>;

struct cache_shard_state {
  cache_entry_store entries{1}; ///< bounded by the behaviour (the shard's share of the total)
  std::size_t counted = 0;      ///< entries counted in the gauge: `entries.size()` after sync
  std::unordered_map<std::string, std::shared_ptr<generation>> running;
  write_behind_buffer writes;   ///< entries, invalidations, hit counts and impressions to write
  /// Learned patterns per (user, role), briefly: learners save them about once a second, so
  /// re-reading them for every miss would only repeat the same queries.
  timed_hints recent_hints{{}};
  /// The role's and the global patterns per (role, k): the same for every user of the role, so
  /// they are read once per role and period instead of once per user.
  timed_hints shared_hints{{}};
  /// The catalogs misses used, by connection: asked of the registry again only when a request
  /// names a newer version.
  std::unordered_map<std::string, std::shared_ptr<const known_catalog>> catalogs;
  std::minstd_rand jitter{std::random_device{}()};
  static inline const char* name = "suggestion_cache_shard";
  /// Brings the entries gauge up to date after the store changed.
  void sync_gauge() {
    if (entries.size() == counted)
      return;
    cache_metrics::get().entries.add(static_cast<std::int64_t>(entries.size()) -
                                     static_cast<std::int64_t>(counted));
    counted = entries.size();
  }
  ~cache_shard_state() { cache_metrics::get().entries.add(-static_cast<std::int64_t>(counted)); }
};

using shard_actor = cache_shard_actor::stateful_base<cache_shard_state>;

cache_shard_actor::behavior_type cache_shard(shard_actor* self, storage_actor storage, storage_actor writer,
                          llm_gateway_actor llm, catalog_registry_actor catalogs,
                          std::shared_ptr<shared_knowledge> shared_with_shards,
                          suggestion_cache_settings settings) {
  auto& m = cache_metrics::get();
  self->state.entries = cache_entry_store{
    static_cast<std::size_t>(std::max(1, settings.max_entries / settings.shards))};

  auto served = [=](const suggestion_job& job, const suggestion_list& list) {
    self->state.writes.served(job.user_id, job.request.connection_id, list.source, job.arm,
                              static_cast<std::int64_t>(list.suggestions.size()));
  };

  // Every insertion goes through here, so the entries gauge stays right.
  auto put_entry = [=](const std::string& hash, cache_entry e) {
    self->state.entries.put(hash, std::move(e));
    self->state.sync_gauge();
  };

  // A user's entries go (preferences changed, or the user was erased): from memory, from the
  // table, and from the inserts still waiting, which were generated before the change.
  auto invalidate = [=](const std::string& user_id) {
    auto& st = self->state;
    st.entries.erase_user(user_id);
    st.sync_gauge();
    st.writes.invalidate_user(user_id);
  };

  auto store = [=](const suggestion_job& job, const suggestion_list& list) {
    auto& st = self->state;
    auto expires_ms = now_ms() + std::int64_t{settings.ttl_s} * 1000;
    put_entry(job.context_hash, new_entry(list, job.user_id, expires_ms));
    st.writes.insert({job.context_hash, job.user_id, list, expires_ms, 0});
  };

  auto finish = [=](const std::shared_ptr<generation>& g, suggestion_list list, bool cacheable) {
    // Rendered once here for every answer from this list and for the write-behind: a hit's
    // answer was spending most of its own time writing the same JSON again.
    list.suggestions_json = suggestions_json(list.suggestions);
    list.strategy = g->job.arm;
    if (cacheable)
      store(g->job, list);
    for (std::size_t i = 0; i < g->waiters.size(); ++i) {
      auto& [ranked, ranking_id] = g->rankings[i];
      if (!ranked.empty()) {
        auto mine = personalised(list, ranked, g->job, *g->catalog->index);
        served(g->job, mine);
        if (auto e = self->state.entries.find(g->job.context_hash); cacheable && e) {
          e->merged = mine;
          e->merged_for = ranking_id;
        }
        g->waiters[i].deliver(std::move(mine));
        continue;
      }
      served(g->job, list);
      // The last waiter takes the list itself: a copy per miss is a few dozen allocations.
      if (i + 1 == g->waiters.size())
        g->waiters[i].deliver(std::move(list));
      else
        g->waiters[i].deliver(list);
    }
    self->state.running.erase(g->job.context_hash);
  };

  auto fail = [=](const std::shared_ptr<generation>& g, const caf::error& err) {
    for (auto& w : g->waiters)
      w.deliver(err);
    self->state.running.erase(g->job.context_hash);
  };

  // Patterns are in: generate from them, then let the LLM improve on it if there is one.
  auto generate = [=](std::shared_ptr<generation> g) {
    auto& job = g->job;
    g->ctx.emplace(g->catalog->catalog, job.preferences, g->hints->hints, job.request.partial_query,
                   job.count, job.role, calendar_day::today(), g->catalog->index,
                   &g->hints->memo);
    suggestion_list list;
    list.connection_id = job.request.connection_id;
    list.partial_query = job.request.partial_query;
    list.user_patterns = g->hints->user_texts;
    list.role_patterns = g->hints->role_texts;
    list.suggestions = generate_suggestions(*g->ctx);
    if (!settings.llm) {
      list.source = to_string(suggestion_source::patterns);
      finish(g, std::move(list), true);
      return;
    }
    auto left = settings.deadline_ms - (now_ms() - g->started_ms);
    auto fallback = [=](suggestion_list l) mutable {
      // Not cached: the next request tries the LLM again.
      l.source = to_string(suggestion_source::llm_fallback);
      finish(g, std::move(l), false);
    };
    if (left <= 0)
      return fallback(std::move(list));
    auto prompt = build_suggestion_prompt(*g->ctx);
    llm_call call{job.user_id, std::move(prompt.system), std::move(prompt.user), left};
    // The gateway answers within the deadline; the margin only guards against a lost reply.
    self->request(llm, std::chrono::milliseconds(left + 1000), llm_atom::value, std::move(call))
      .then(
        [=](llm_answer& a) mutable {
          std::vector<suggestion> parsed;
          int usable = 0;
          if (a.ok && parse_llm_suggestions(a.content, parsed)) {
            auto merged = merge_llm_suggestions(*g->ctx, parsed, usable);
            if (usable > 0) {
              auto l = list;
              l.suggestions = std::move(merged);
              l.source = to_string(suggestion_source::llm_with_patterns);
              finish(g, std::move(l), true);
              return;
            }
          }
          fallback(list);
        },
        [=](caf::error&) mutable { fallback(list); });
  };

  timed_hints::policy freshness;
  freshness.fresh_ms = settings.hints_ttl_ms;
  freshness.max_stale_ms = settings.hints_max_stale_ms;
  self->state.recent_hints = timed_hints{freshness};
  self->state.shared_hints = timed_hints{freshness};

  // Reads a user's patterns, and the role's and global ones unless those are fresh, and keeps
  // them under `user_key`; then `done` gets them (or `failed` the error). The caller has marked
  // the read (`use`).
  auto read_hints = [=](const suggestion_job& job, const std::string& user_key,
                        std::function<void(std::shared_ptr<const known_hints>)> done,
                        std::function<void(const caf::error&)> failed) {
    auto shared_key = job.role + '\n' + std::to_string(job.min_users);
    std::shared_ptr<const known_hints> shared;
    if (auto fresh = self->state.shared_hints.fresh(shared_key, now_ms()))
      shared = *fresh;
    self->request(storage, std::chrono::milliseconds(settings.deadline_ms), hints_atom::value,
                  job.user_id, job.role, job.min_users,
                  static_cast<std::int32_t>(settings.hints_per_scope), shared == nullptr)
      .then(
        [=](pattern_hints& h) {
          auto& st = self->state;
          if (shared) {
            h.role = shared->hints.role;
            h.global = shared->hints.global;
          } else {
            pattern_hints role_and_global;
            role_and_global.role = h.role;
            role_and_global.global = h.global;
            st.shared_hints.store(shared_key,
                                  std::make_shared<const known_hints>(std::move(role_and_global)),
                                  now_ms(), st.jitter());
          }
          // Unchanged patterns keep what was built from them (the generator's memo above all),
          // whichever shard built it.
          auto hints = shared_with_shards->hints(user_key, std::move(h));
          st.recent_hints.store(user_key, hints, now_ms(), st.jitter());
          done(std::move(hints));
        },
        [=](caf::error& err) {
          self->state.recent_hints.read_failed(user_key);
          failed(err);
        });
  };

  // The catalog is in: find the patterns, then generate. Patterns past their freshness are still
  // used for a while, and read again behind this request, so that a miss rarely waits for storage
  // (its round trip through two more threads was most of the pattern path's slowest answers).
  auto load_hints = [=](std::shared_ptr<generation> g) {
    auto user_key = g->job.user_id + '\n' + g->job.role;
    auto found = self->state.recent_hints.use(user_key, now_ms());
    if (found.value) {
      g->hints = *found.value;
      if (found.refresh)
        read_hints(g->job, user_key, [](auto) {}, [](const caf::error&) {});
      return generate(g);
    }
    read_hints(
      g->job, user_key,
      [=](std::shared_ptr<const known_hints> h) {
        g->hints = std::move(h);
        generate(g);
      },
      [=](const caf::error& err) { fail(g, err); });
  };

  return {
    [=, &m](suggest_atom, suggestion_job& job) -> caf::result<suggestion_list> {
      auto& st = self->state;
      auto now = now_ms();
      auto live = st.entries.find_live(job.context_hash, now);
      st.sync_gauge(); // an expired entry found is removed
      if (live) {
        m.hits.add(1);
        st.writes.count_hit(job.context_hash);
        auto& e = *live;
        if (!job.ranked.empty() && e.merged_for != job.ranking_id) {
          static const catalog_index no_catalog;
          auto known = st.catalogs.find(job.request.connection_id);
          e.merged = personalised(e.list, job.ranked, job,
                                  known != st.catalogs.end() && known->second
                                    ? *known->second->index : no_catalog);
          e.merged_for = job.ranking_id;
        }
        auto list = job.ranked.empty() ? e.list : e.merged;
        list.source = to_string(suggestion_source::cached);
        list.partial_query = job.request.partial_query;
        list.strategy = job.arm;
        served(job, list);
        return list;
      }
      m.misses.add(1);
      auto rp = self->make_response_promise<suggestion_list>();
      if (auto r = st.running.find(job.context_hash); r != st.running.end()) {
        m.shared.add(1);
        r->second->waiters.push_back(rp);
        r->second->rankings.emplace_back(std::move(job.ranked), job.ranking_id);
        return rp;
      }
      auto g = std::make_shared<generation>();
      g->rankings.emplace_back(std::move(job.ranked), job.ranking_id);
      g->job = std::move(job);
      g->started_ms = now;
      g->waiters.push_back(rp);
      st.running.emplace(g->job.context_hash, g);
      // A miss needs the catalog and the learned patterns.
      auto& known = st.catalogs[g->job.request.connection_id];
      if (known && known->catalog.version >= g->job.catalog_version) {
        g->catalog = known;
        load_hints(g);
        return rp;
      }
      auto budget = std::chrono::milliseconds(settings.deadline_ms);
      self->request(catalogs, budget, cat_get_atom::value, g->job.request.connection_id)
        .then(
          [=](connection_catalog& c) {
            auto shared = shared_with_shards->catalog(std::move(c));
            self->state.catalogs[shared->catalog.id] = shared;
            g->catalog = std::move(shared);
            load_hints(g);
          },
          [=](caf::error& err) { fail(g, err); });
      return rp;
    },
    [=](warm_atom, std::vector<cached_suggestions>& rows) {
      auto now = now_ms();
      std::sort(rows.begin(), rows.end(),
                [](const auto& a, const auto& b) { return a.expires_at_ms < b.expires_at_ms; });
      for (auto& r : rows)
        if (r.expires_at_ms > now)
          put_entry(r.context_hash, new_entry(std::move(r.list), r.user_id, r.expires_at_ms));
    },
    [=](invalidate_atom, const std::string& user_id) { invalidate(user_id); },
    [=](fault_atom) { throw std::runtime_error("injected fault (--fault-injection)"); },
    // An erased user: also no impression of theirs still waiting to be written.
    [=](forget_atom, const std::string& user_id) {
      auto& st = self->state;
      st.entries.erase_user(user_id);
      st.sync_gauge();
      st.writes.forget_user(user_id);
    },
    [=, &m](cache_flush_atom) {
      // Write-behind: a failed batch is logged by storage and dropped; the entries stay
      // served from memory, and losing a few hit counts is acceptable for a cache.
      // Counts add up, so they go once a second: a row per user and source every 100 ms was a
      // fifth of the rows the pattern path made PostgreSQL write.
      // One batch in flight per shard: a slow database makes batches bigger, not messages more;
      // past a bound the oldest waiting inserts go (a cache: they are regenerated on a miss).
      self->delayed_send(self, std::chrono::milliseconds(settings.flush_ms),
                         cache_flush_atom::value);
      std::size_t dropped = 0;
      auto w = self->state.writes.due(now_ms(), std::max(settings.flush_ms, 1000), dropped);
      if (dropped > 0)
        m.writes_dropped.add(static_cast<std::int64_t>(dropped));
      if (!w)
        return;
      self->request(writer, std::chrono::seconds(30), cache_write_atom::value, std::move(*w))
        .then([=](bool) { self->state.writes.written(); },
              [=](caf::error&) { self->state.writes.written(); }); // storage logged it
    },
    // At shutdown: write what is pending and answer once it is stored.
    [=](drain_cache_atom) -> caf::result<bool> {
      auto w = self->state.writes.take_all();
      if (w.empty())
        return true;
      auto rp = self->make_response_promise<bool>();
      rp.delegate(writer, cache_write_atom::value, std::move(w));
      return rp;
    },
  };
}

// -- supervisor ---------------------------------------------------------------

struct cache_pool_state {
  std::shared_ptr<supervised_slots> shards;
  static inline const char* name = "suggestion_cache";
};

suggestion_cache_actor::behavior_type
cache_pool(suggestion_cache_actor::stateful_pointer<cache_pool_state> self, storage_actor storage,
                         storage_actor writer, llm_gateway_actor llm, catalog_registry_actor catalogs,
                         std::shared_ptr<cache_shard_table> table,
                         suggestion_cache_settings settings) {
  auto n = static_cast<std::size_t>(settings.shards);
  auto shared = std::make_shared<shared_knowledge>();
  // The slots hold untyped handles, and a typed actor sends only to typed ones.
  auto as_shard = [](const caf::actor& child) { return caf::actor_cast<cache_shard_actor>(child); };
  // Warms shard `only` (or all when `only` == n) from the unexpired rows of the table.
  auto deliver_warm = [=](std::vector<cached_suggestions>& rows, std::size_t only) {
    std::vector<std::vector<cached_suggestions>> parts(n);
    for (auto& r : rows)
      parts[cache_shard_of(r.context_hash, n)].push_back(std::move(r));
    for (std::size_t i = 0; i < n; ++i)
      if ((only == n || only == i) && (*self->state.shards)[i])
        self->send(as_shard((*self->state.shards)[i]), warm_atom::value, std::move(parts[i]));
  };
  auto not_warmed = [=](caf::error& err) {
    log_event("warn", "suggestion cache not warmed", {{"error", to_api_error(err).message}});
  };
  auto load = [=] {
    return self->request(storage, std::chrono::seconds(60), cache_load_atom::value,
                         static_cast<std::int32_t>(settings.max_entries));
  };
  auto shards = std::make_shared<supervised_slots>(
    self, "suggestion cache shard", restart_policy::always(), n, [=](std::size_t) {
      auto s = self->spawn(cache_shard, storage, writer, llm, catalogs, shared, settings);
      self->send(s, cache_flush_atom::value);
      return caf::actor_cast<caf::actor>(s); // the slots hold untyped handles
    });
  self->state.shards = shards;
  shards->start_all();
  // At start, nothing is routed before the shards hold the table's entries (await); each warm
  // message reaches its shard before any request the pool forwards afterwards. A shard is
  // published for direct jobs only after its warm message was sent, so that holds for those too.
  auto publish_all = [=] {
    for (std::size_t i = 0; i < n; ++i)
      table->publish(i, as_shard((*self->state.shards)[i]));
  };
  load().await(
    [=](std::vector<cached_suggestions>& rows) {
      deliver_warm(rows, n);
      publish_all();
    },
    [=](caf::error& err) {
      not_warmed(err);
      publish_all();
    });
  // A restarted shard is warmed alone; until then its jobs come through here.
  shards->on_stopped = [=](std::size_t slot) { table->publish(slot, cache_shard_actor{}); };
  shards->on_started = [=](std::size_t slot, const caf::actor& child) {
    auto shard = as_shard(child);
    load().then(
      [=](std::vector<cached_suggestions>& rows) {
        deliver_warm(rows, slot);
        if ((*self->state.shards)[slot] == child)
          table->publish(slot, shard);
      },
      [=](caf::error& err) {
        not_warmed(err);
        if ((*self->state.shards)[slot] == child)
          table->publish(slot, shard);
      });
  };
  supervise(self, {shards});
  // Expired rows (and pattern lists no entry names) also go at start, after a downtime, and
  // when nothing is inserted for a while.
  auto purge_every = std::chrono::minutes(10);
  caf::anon_send(writer, cache_purge_atom::value);
  self->delayed_send(self, purge_every, cache_purge_atom::value);
  return {
    [=](suggest_atom a, suggestion_job& job) -> caf::result<suggestion_list> {
      auto& s = (*self->state.shards)[cache_shard_of(job.context_hash, n)];
      if (!s)
        return to_caf_error(make_error(error_code::unavailable, "the suggestion cache is restarting"));
      auto rp = self->make_response_promise<suggestion_list>();
      rp.delegate(s, a, std::move(job));
      return rp;
    },
    [=](invalidate_atom a, const std::string& user_id) {
      for (auto& s : self->state.shards->children())
        if (s)
          self->send(as_shard(s), a, user_id);
    },
    // Tests (--fault-injection): the first shard fails, with its entries.
    [=](fault_atom a) {
      if (auto& s = self->state.shards->children().front())
        self->send(as_shard(s), a);
    },
    [=](forget_atom a, const std::string& user_id) {
      for (auto& s : self->state.shards->children())
        if (s)
          self->send(as_shard(s), a, user_id);
    },
    [=](drain_cache_atom a) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      auto left = std::make_shared<std::size_t>(0);
      for (auto& sh : self->state.shards->children())
        if (sh)
          ++*left;
      if (*left == 0)
        return true;
      auto one_done = [=]() mutable {
        if (--*left == 0)
          rp.deliver(true);
      };
      for (auto& sh : self->state.shards->children())
        if (sh)
          self->request(sh, std::chrono::seconds(10), a)
            .then([=](bool) mutable { one_done(); }, [=](caf::error&) mutable { one_done(); });
      return rp;
    },
    [=](cache_purge_atom a) {
      caf::anon_send(writer, a);
      self->delayed_send(self, purge_every, a);
    },
    [=](stats_atom) {
      auto& m = cache_metrics::get();
      suggestion_service_stats s;
      s.cache_entries = m.entries.value.load();
      s.cache_hits = m.hits.value.load();
      s.cache_misses = m.misses.value.load();
      s.cache_shared_misses = m.shared.value.load();
      return s;
    },
  };
}

} // namespace

std::size_t cache_shard_of(const std::string& context_hash, std::size_t shards) {
  // The hash is MD5 hex: its first 8 digits are as uniform as any.
  return static_cast<std::size_t>(
           std::strtoul(context_hash.substr(0, 8).c_str(), nullptr, 16)) % shards;
}

cache_shard_table::cache_shard_table(std::size_t shards)
  : slots_(std::make_shared<const std::vector<cache_shard_actor>>(shards)) {
  // nop
}

cache_shard_actor cache_shard_table::shard_for(const std::string& context_hash) const {
  auto slots = std::atomic_load(&slots_);
  return (*slots)[cache_shard_of(context_hash, slots->size())];
}

void cache_shard_table::publish(std::size_t i, cache_shard_actor shard) {
  // Only the supervisor writes, so copying and swapping needs no lock.
  auto next = std::make_shared<std::vector<cache_shard_actor>>(*std::atomic_load(&slots_));
  (*next)[i] = std::move(shard);
  std::atomic_store(&slots_,
                    std::shared_ptr<const std::vector<cache_shard_actor>>(std::move(next)));
}

suggestion_cache_handles spawn_suggestion_cache(caf::actor_system& sys,
                                                const suggestion_cache_peers& peers,
                                                const suggestion_cache_settings& settings) {
  auto table = std::make_shared<cache_shard_table>(static_cast<std::size_t>(settings.shards));
  auto supervisor = sys.spawn(cache_pool, peers.storage, peers.writer, peers.llm, peers.catalogs,
                              table, settings);
  return {supervisor, table};
}

} // namespace foresight
