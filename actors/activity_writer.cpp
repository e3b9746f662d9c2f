// activity_writer: a cooperative actor queueing rows with their response promises, and a detached
// committer that owns a connection. Whenever the committer is free, the queue (up to batch_max
// rows) becomes its next transaction, so batches grow exactly as fast as load does.
//
// One committer, deliberately: transactions then commit in the order their ids were drawn, so the
// learners receive activities in strictly increasing id order and a watermark (the last id
// applied) is enough to never lose or double-count one. Two committers measured no faster
// (bench/README.md).
#include "actors/activity_writer.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <unordered_map>

#include "actors/activity_importer.hpp"
#include "actors/cluster_node.hpp"
#include "actors/guarded.hpp"
#include "actors/messages.hpp"
#include "actors/supervision.hpp"
#include "core/group_commit_queue.hpp"
#include "core/metrics.hpp"

namespace foresight {

namespace {

// -- committer ------------------------------------------------------------------

/// The committer's protocol: one batch, stored (its rows isolated from each other's faults),
/// answered with a receipt per row.
using activity_committer_actor =
  caf::typed_actor<caf::replies_to<commit_atom, activity_batch>::with<batch_receipt>,
                   caf::reacts_to<forget_atom, std::string>>;

struct committer_state {
  std::unique_ptr<store_set> db;
  static inline const char* name = "activity_committer";
};

void mark_not_stored(const activity_batch& batch, batch_receipt& out, const std::string& why,
                     bool retry) {
  for (auto& r : batch.rows) {
    logged_activity ack;
    ack.activity_type = r.activity_type;
    ack.not_stored = why;
    ack.retry = retry;
    out.items.push_back(std::move(ack));
  }
}

/// Stores `batch`, appending its receipts to `out`. A batch refused for one of its rows is halved
/// until each row at fault stands alone, so one user's bad row never fails another's request.
/// Throws (nothing stored, safe to retry whole) only while no part has committed; after that a
/// failure marks the rows left as not stored instead, as a whole retry would store some twice.
void store_isolating(store_set& db, const activity_batch& batch, batch_receipt& out,
                     bool& some_committed) {
  try {
    auto stored = db.activities.insert_activities(batch);
    some_committed = true;
    for (auto& item : stored.items)
      out.items.push_back(std::move(item));
    for (auto& l : stored.learned)
      out.learned.push_back(std::move(l));
  } catch (const storage_error& e) {
    if (e.failure != storage_error::kind::refused) {
      if (!some_committed)
        throw;
      db.db.disconnect();
      return mark_not_stored(batch, out, "the activity could not be stored; retry", true);
    }
    if (batch.rows.size() == 1) {
      // The statement text and PostgreSQL's CONTEXT carry the user's data: log the state only.
      log_event("warn", "activity refused by the database",
                {{"user_id", batch.rows[0].user_id}, {"sqlstate", e.sqlstate}});
      return mark_not_stored(batch, out,
                             "the database refused this activity (SQLSTATE " + e.sqlstate + ")",
                             false);
    }
    auto half = batch.rows.begin() + static_cast<std::ptrdiff_t>(batch.rows.size() / 2);
    store_isolating(db, activity_batch{{batch.rows.begin(), half}}, out, some_committed);
    store_isolating(db, activity_batch{{half, batch.rows.end()}}, out, some_committed);
  } catch (const std::exception&) {
    if (!some_committed)
      throw;
    db.db.disconnect();
    mark_not_stored(batch, out, "the activity could not be stored; retry", true);
  }
}

activity_committer_actor::behavior_type
committer(activity_committer_actor::stateful_pointer<committer_state> self,
          writer_settings settings, pattern_learners_actor learners) {
  self->state.db = std::make_unique<store_set>(settings.conninfo);
  // Bounds every statement, COMMIT included, so the writer hears the outcome before the HTTP
  // request's deadline (see writer_settings).
  self->state.db->db.set_statement_timeout(settings.commit_timeout_ms);
  return {
    [=](commit_atom, const activity_batch& batch) {
      return guarded(*self->state.db, [&](store_set& db) {
        batch_receipt receipt;
        bool some_committed = false;
        store_isolating(db, batch, receipt, some_committed);
        // From here, not from the writer: a reply the writer no longer waits for must not take
        // committed rows away from the learners.
        if (!receipt.learned.empty())
          self->send(learners, learn_atom::value, learn_batch{std::move(receipt.learned)});
        receipt.learned.clear();
        return receipt;
      });
    },
    [=](forget_atom, const std::string& user_id) {
      self->state.db->activities.forget_user(user_id);
    },
  };
}

// -- writer ------------------------------------------------------------------------

/// Rows that came as one `activity_batch` (an import's chunk) get one answer together: the
/// receipts in their order once all have committed, or the first failure.
struct chunk_reply {
  caf::typed_response_promise<batch_receipt> promise;
  batch_receipt receipt;
  std::size_t waiting = 0;
  bool answered = false;
};

/// Whom a row's receipt goes to: its own requester, or its place in a chunk.
struct reply_to {
  caf::typed_response_promise<logged_activity> promise;
  std::shared_ptr<chunk_reply> chunk;
  std::size_t index = 0;

  void deliver(logged_activity ack) {
    if (!chunk && !ack.not_stored.empty()) {
      auto err = make_error(ack.retry ? error_code::unavailable : error_code::validation_failed,
                            ack.not_stored);
      if (ack.retry)
        err.retry_after_seconds = 1;
      promise.deliver(to_caf_error(err));
      return;
    }
    if (!chunk) {
      promise.deliver(std::move(ack));
      return;
    }
    chunk->receipt.items[index] = std::move(ack);
    if (--chunk->waiting == 0 && !chunk->answered) {
      chunk->answered = true;
      chunk->promise.deliver(std::move(chunk->receipt));
    }
  }
  void fail(const caf::error& err) {
    if (!chunk) {
      promise.deliver(err);
      return;
    }
    if (!chunk->answered) {
      chunk->answered = true;
      chunk->promise.deliver(err);
    }
  }
};

struct pending_row {
  activity_row row;
  reply_to reply;
};

struct writer_state {
  /// Rows waiting, with their send-by times (past it, a row is not sent to the database any
  /// more: its requester would be told 504 before the commit could answer), and the batch in
  /// flight (core/group_commit_queue).
  group_commit_queue<pending_row> queue{0, 1, 0};
  activity_committer_actor committer;
  activity_importer_actor importer; ///< parses and validates imports, then sends their chunks here
  std::shared_ptr<activity_importer> published; ///< the importer's handle for the HTTP side
  /// Writes passed on to the learner host's writer and not answered yet, by that writer (which
  /// this one monitors): when it goes down, each is told at once instead of waiting forever.
  std::unordered_map<caf::actor_addr, std::unordered_map<std::uint64_t,
                                                         std::function<void(caf::error)>>>
    forwarded;
  std::uint64_t next_forward = 0;
  static inline const char* name = "activity_writer";
};

template <class T>
struct reply_tag {
  using type = T;
};

/// Where a write goes: committed here, passed on to `to`, or nowhere while the cluster forms.
struct write_route {
  bool here = true;
  activity_writer_actor to;
};

/// Why a write cannot go anywhere in a cluster right now.
const char* const no_host = "no node of the cluster may store activities now (it is forming, or "
                            "this node cannot reach most of the others); retry";

std::optional<write_route> route_write(const std::shared_ptr<cluster_view_cell>& cluster) {
  if (!cluster)
    return write_route{};
  auto v = cluster->get();
  if (!v->settled || v->learner_host.empty())
    return std::nullopt;
  if (v->learner_host == v->self)
    return write_route{};
  auto s = v->services.find(v->learner_host);
  if (s == v->services.end() || !s->second.writer)
    return std::nullopt;
  return write_route{false, s->second.writer};
}

struct writer_metrics {
  gauge& queued = metrics_registry::instance().get_gauge(
    "foresight_activity_queue_rows", "activities waiting for or inside a commit");
  gauge& batches = metrics_registry::instance().get_counter(
    "foresight_activity_batches_total", "group-commit transactions committed");
  gauge& rows = metrics_registry::instance().get_counter(
    "foresight_activity_rows_total", "activities committed");
  gauge& refused = metrics_registry::instance().get_counter(
    "foresight_activity_rows_not_stored_total",
    "activities a commit left out (refused for their data, or cut short after a partial commit)");
  gauge& failures = metrics_registry::instance().get_counter(
    "foresight_activity_commit_failures_total", "group-commit transactions that failed");
};

caf::error overloaded(const char* why) {
  auto err = make_error(error_code::unavailable, why);
  err.retry_after_seconds = 1;
  return to_caf_error(err);
}

activity_writer_actor::behavior_type
activity_writer(activity_writer_actor::stateful_pointer<writer_state> self, writer_settings settings,
                             pattern_learners_actor learners,
                             std::shared_ptr<activity_importer> published) {
  static writer_metrics m;
  auto& st = self->state;
  st.queue = group_commit_queue<pending_row>{static_cast<std::size_t>(settings.queue_max),
                                             static_cast<std::size_t>(settings.batch_max),
                                             settings.batch_wait_ms};
  // The committer and the importer: one slot each (state.committer / state.importer mirror
  // them), restarted when they fail; their supervision is installed below.
  auto committers = std::make_shared<supervised_slots>(
    self, "activity committer", restart_policy::on_failure(), 1,
    [=](std::size_t) {
      return caf::actor_cast<caf::actor>(
        self->spawn<caf::detached>(committer, settings, learners));
    });
  committers->on_started = [=](std::size_t, const caf::actor& c) {
    self->state.committer = caf::actor_cast<activity_committer_actor>(c);
  };
  committers->on_stopped = [=](std::size_t) {
    self->state.committer = activity_committer_actor{};
  };
  committers->start_all();
  // Hands the queue to the committer when it is free. `waited`: the batch_wait timer has expired.
  auto flush = std::make_shared<std::function<void(bool)>>();
  std::weak_ptr<std::function<void(bool)>> weak_flush = flush;
  *flush = [=](bool waited) {
    auto& s = self->state;
    // A writer that stopped being the learner host sends nothing more: rows it committed now
    // would reach no learner (the new host's have already replayed). Unsent, they may retry.
    if (auto route = route_write(settings.cluster); !route || !route->here) {
      for (auto& e : s.queue.drain()) {
        m.queued.add(-1);
        e.reply.fail(overloaded("this node no longer stores activities; retry"));
      }
      return;
    }
    auto t = s.queue.take(std::chrono::steady_clock::now(), waited, static_cast<bool>(s.committer));
    for (auto& e : t.expired) {
      // Never sent, so surely not stored: the requester may retry.
      m.queued.add(-1);
      e.reply.fail(overloaded("the activity waited too long to be stored; retry"));
    }
    if (t.arm_timer)
      self->delayed_send(self, std::chrono::milliseconds(settings.batch_wait_ms),
                         batch_due_atom::value);
    auto n = t.batch.size();
    if (n == 0)
      return;
    activity_batch batch;
    auto promises = std::make_shared<std::vector<reply_to>>();
    batch.rows.reserve(n);
    promises->reserve(n);
    for (auto& p : t.batch) {
      batch.rows.push_back(std::move(p.row));
      promises->push_back(std::move(p.reply));
    }
    auto done = [=](const caf::error* err, batch_receipt* receipt) {
      self->state.queue.committed(n);
      m.queued.add(-static_cast<std::int64_t>(n));
      // The next batch leaves first: the committer waits for nothing but this message.
      if (auto f = weak_flush.lock())
        (*f)(false);
      if (err) {
        m.failures.add(1);
        auto api = to_api_error(*err);
        log_event("error", "activity commit failed",
                  {{"rows", std::to_string(n), true}, {"error", api.message}});
        // Nothing was acknowledged: every waiting request learns it must retry.
        auto reply = overloaded("the activity could not be stored; retry");
        for (auto& p : *promises)
          p.fail(reply);
      } else {
        m.batches.add(1);
        std::int64_t stored = 0;
        for (auto& item : receipt->items)
          stored += item.not_stored.empty() ? 1 : 0;
        m.rows.add(stored);
        m.refused.add(static_cast<std::int64_t>(n) - stored);
        for (std::size_t k = 0; k < n; ++k)
          (*promises)[k].deliver(std::move(receipt->items[k]));
      }
    };
    // Twice the statement timeout: reached only if the committer itself is stuck, and then
    // the rows' fate is unknown, which is what the 503 says.
    self->request(s.committer, std::chrono::milliseconds(2 * settings.commit_timeout_ms),
                  commit_atom::value, std::move(batch))
      .then([=](batch_receipt& r) { done(nullptr, &r); },
            [=](caf::error& e) { done(&e, nullptr); });
  };
  // Imports: a child of its own (detached: it parses and looks users up); the handle for the
  // HTTP side stops working when this writer stops.
  importer_settings imp;
  imp.conninfo = settings.conninfo;
  imp.chunk_rows = static_cast<std::size_t>(std::max(1, std::min(settings.batch_max,
                                                                 settings.queue_max)));
  auto importers = std::make_shared<supervised_slots>(
    self, "activity importer", restart_policy::on_failure(), 1, [=](std::size_t) {
      return caf::actor_cast<caf::actor>(self->spawn<caf::detached>(
        importer_behavior, imp, caf::actor_cast<caf::actor_addr>(self)));
    });
  importers->on_started = [=](std::size_t, const caf::actor& i) {
    self->state.importer = caf::actor_cast<activity_importer_actor>(i);
  };
  importers->on_stopped = [=](std::size_t) { self->state.importer = activity_importer_actor{}; };
  importers->start_all();
  st.published = std::move(published);
  auto host_lost = [=](const caf::down_msg& dm) {
    auto& f = self->state.forwarded;
    auto i = f.find(dm.source);
    if (i == f.end())
      return;
    auto waiting = std::move(i->second);
    f.erase(i);
    for (auto& [id, fail] : waiting)
      fail(overloaded("the node that stores activities was lost; the activity may not be "
                      "stored: retry (with an Idempotency-Key to be sure)"));
  };
  supervise(
    self, {committers, importers},
    [=](const caf::error&) {
      close_activity_importer(self->state.published);
      self->state.published = nullptr;
    },
    host_lost);
  // Passes a write on to the learner host's writer; its answer (or the loss of that node) goes
  // back to the requester.
  auto forward = [=](auto tag, const activity_writer_actor& to, auto... xs) {
    using reply = typename decltype(tag)::type;
    auto rp = self->make_response_promise<reply>();
    auto& st = self->state;
    auto addr = to.address();
    auto& waiting = st.forwarded[addr];
    if (waiting.empty())
      self->monitor(to);
    auto id = st.next_forward++;
    waiting.emplace(id, [rp](caf::error e) mutable { rp.deliver(std::move(e)); });
    auto settle = [=]() -> bool {
      auto& f = self->state.forwarded;
      auto i = f.find(addr);
      if (i == f.end() || i->second.erase(id) == 0)
        return false; // already told of the node's loss
      if (i->second.empty()) { // nothing waits on that writer: one monitor per busy period
        self->demonitor(addr);
        f.erase(i);
      }
      return true;
    };
    self->request(to, caf::infinite, xs...)
      .then([=](reply& r) mutable { if (settle()) rp.deliver(std::move(r)); },
            [=](caf::error& e) mutable { if (settle()) rp.deliver(std::move(e)); });
    return rp;
  };
  return {
    [=](write_atom a, activity_row& row) -> caf::result<logged_activity> {
      auto route = route_write(settings.cluster);
      if (!route)
        return overloaded(no_host);
      if (!route->here)
        return forward(reply_tag<logged_activity>{}, route->to, a, std::move(row));
      auto& s = self->state;
      if (!s.queue.admits(1))
        return overloaded("too many activities are waiting to be stored; retry");
      auto rp = self->make_response_promise<logged_activity>();
      s.queue.push({std::move(row), {rp, nullptr, 0}},
                   std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(settings.send_within_ms));
      m.queued.add(1);
      (*flush)(false);
      return rp;
    },
    // An import's chunk: queued as one, answered with one receipt per row once all committed.
    [=](write_atom a, activity_batch& chunk) -> caf::result<batch_receipt> {
      auto route = route_write(settings.cluster);
      if (!route)
        return overloaded(no_host);
      if (!route->here)
        return forward(reply_tag<batch_receipt>{}, route->to, a, std::move(chunk));
      auto& s = self->state;
      auto n = chunk.rows.size();
      if (n == 0)
        return batch_receipt{};
      if (!s.queue.admits(n))
        return overloaded("too many activities are waiting to be stored; retry");
      auto reply = std::make_shared<chunk_reply>();
      reply->promise = self->make_response_promise<batch_receipt>();
      reply->receipt.items.resize(n);
      reply->waiting = n;
      for (std::size_t k = 0; k < n; ++k)
        s.queue.push({std::move(chunk.rows[k]), {{}, reply, k}});
      m.queued.add(static_cast<std::int64_t>(n));
      (*flush)(false);
      return reply->promise;
    },
    [=](import_atom a, std::string& caller, std::string& body, std::uint64_t max_text_bytes) {
      auto rp = self->make_response_promise<import_report>();
      rp.delegate(self->state.importer, a, std::move(caller), std::move(body), max_text_bytes);
      return rp;
    },
    [=](forget_atom a, const std::string& user_id) {
      if (self->state.committer)
        self->send(self->state.committer, a, user_id);
    },
    [=](batch_due_atom) {
      self->state.queue.timer_fired();
      (*flush)(true);
    },
  };
}

} // namespace

writer_settings writer_settings_within(int request_timeout_ms) {
  writer_settings s;
  s.commit_timeout_ms = std::clamp(request_timeout_ms * 3 / 10, 50, 30000);
  s.send_within_ms = std::max(1, request_timeout_ms - s.commit_timeout_ms - request_timeout_ms / 10);
  return s;
}

activity_writer_actor spawn_activity_writer(caf::actor_system& sys,
                                            const writer_settings& settings,
                                            pattern_learners_actor learners) {
  // Published before the writer runs (its behavior is made later, on a scheduler thread), so
  // whoever spawns the writer can hand the importer to the HTTP handlers right away.
  auto published = publish_activity_importer(sys);
  auto writer = sys.spawn(activity_writer, settings, std::move(learners), published);
  attach_activity_writer(published, writer);
  return writer;
}

} // namespace foresight
