// activity_writer: a cooperative actor queueing rows with their response promises, and a detached
// committer that owns a connection. Whenever the committer is free, the queue (up to batch_max
// rows) becomes its next transaction, so batches grow exactly as fast as load does.
//
// The queue sits between the two (`commit_handoff`): the committer takes its next batch itself
// the moment it has stored the last, and reports to the writer, which answers the requests. So
// no message hop stands between two commits (under load, the committer's answer waited for a
// scheduler thread to run the writer, and the next batch for the committer's thread to wake:
// about a sixth of each commit cycle).
//
// One committer, deliberately: transactions then commit in the order their ids were drawn, so the
// learners receive activities in strictly increasing id order and a watermark (the last id
// applied) is enough to never lose or double-count one. Two committers measured no faster
// (bench/README.md).
#include "actors/activity_writer.hpp"

#include <algorithm>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "actors/activity_importer.hpp"
#include "actors/cluster_node.hpp"
#include "actors/guarded.hpp"
#include "actors/messages.hpp"
#include "actors/supervision.hpp"
#include "actors/thread_priority.hpp"
#include "core/awaiting_by_number.hpp"
#include "core/group_commit_queue.hpp"
#include "core/metrics.hpp"

namespace foresight {

namespace {

// -- the queue between writer and committer ---------------------------------------

/// A row waiting for its commit, numbered in the writer's order (the report answers by number).
struct queued_row {
  activity_row row;
  std::uint64_t seq = 0;
};

/// Shared by the writer, which pushes rows, and its committer, which takes them.
struct commit_handoff {
  explicit commit_handoff(const writer_settings& s)
    : queue(static_cast<std::size_t>(s.queue_max), static_cast<std::size_t>(s.batch_max),
            s.batch_wait_ms) {}
  std::mutex mtx;
  group_commit_queue<queued_row> queue;
  /// The number of the next row to be taken: every row before it is committing or answered.
  std::uint64_t taken_through = 0;
  /// When the batch in flight was taken (for the writer's check on a stuck committer).
  std::chrono::steady_clock::time_point taken_at;
  /// The committer found nothing to take: the next push must wake it with `commit_atom`.
  bool committer_asleep = false;
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

template <class T>
struct reply_tag {
  using type = T;
};

// -- committer ------------------------------------------------------------------

/// The committer's protocol: `commit_atom` wakes it to take rows (it goes on by itself while rows
/// wait), `batch_due_atom` is its batch-wait timer.
using activity_committer_actor =
  caf::typed_actor<caf::reacts_to<commit_atom>, caf::reacts_to<batch_due_atom>,
                   caf::reacts_to<forget_atom, std::string>>;

/// Rows the committer took, with their numbers and their report so far.
struct taken_batch {
  commit_report report;
  std::vector<std::uint64_t> seqs; ///< each row's number in the writer's order
  activity_batch rows;
};

struct committer_state {
  std::unique_ptr<store_set> db;
  /// The live batch whose INSERT is sent and not answered yet.
  std::optional<taken_batch> sent;
  static inline const char* name = "activity_committer";
};

/// Why a row of a batch that failed, or was cut short, is not stored.
const char* const commit_failed = "the activity could not be stored; retry";

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
      return mark_not_stored(batch, out, commit_failed, true);
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
    mark_not_stored(batch, out, commit_failed, true);
  }
}

/// store_isolating for a whole batch: its receipt.
batch_receipt store_batch(store_set& db, const activity_batch& batch) {
  batch_receipt receipt;
  bool some_committed = false;
  store_isolating(db, batch, receipt, some_committed);
  return receipt;
}

activity_committer_actor::behavior_type
committer(activity_committer_actor::stateful_pointer<committer_state> self,
          writer_settings settings, pattern_learners_actor learners,
          std::shared_ptr<commit_handoff> handoff, caf::actor_addr writer_addr) {
  // Every row waits for this thread's turn on a core: under load it waited for one a quarter to
  // a third of the time. A short slice lets it run first when its answer arrives.
  request_short_time_slice(100000);
  self->state.db = std::make_unique<store_set>(settings.conninfo);
  // Bounds every statement, COMMIT included, so the writer hears the outcome before the HTTP
  // request's deadline (see writer_settings).
  self->state.db->db.set_parameter("statement_timeout", std::to_string(settings.commit_timeout_ms));
  // Scanning users for each row's foreign-key check was about 40% of this backend's time per row.
  self->state.db->db.prefer_index_probes();
  // Connected and prepared now rather than by the first batch, which would otherwise wait for
  // a new backend (41 ms measured). Batches under load hold 20-64 rows; larger sizes are
  // prepared when first seen.
  guarded(*self->state.db, [&](store_set& db) {
    db.activities.prepare_live_inserts(std::min<std::size_t>(settings.batch_max, 128));
    return true;
  });
  auto report_to_writer = [=](commit_report report) {
    if (auto w = caf::actor_cast<activity_writer_actor>(writer_addr))
      self->send(w, receipts_atom::value, std::move(report));
  };
  // Takes what waits, after marking the `finished` rows of the batch before as done (so that
  // taking the next is one step under the lock). Rows past their send-by time, or on a node that
  // no longer stores activities, come back failed in the report instead.
  auto take_next = [=](bool timer_fired, std::size_t finished) {
    auto& h = *handoff;
    taken_batch out;
    auto& report = out.report;
    std::lock_guard<std::mutex> lock(h.mtx);
    if (finished > 0)
      h.queue.committed(finished);
    report.first_seq = h.taken_through;
    if (timer_fired)
      h.queue.timer_fired();
    // A node that stopped being the learner host stores nothing more: rows it committed now
    // would reach no learner (the new host's have already replayed). Unsent, they may retry.
    if (auto route = route_write(settings.cluster); !route || !route->here) {
      for (auto& q : h.queue.drain()) {
        report.items.push_back(logged_activity{0, q.row.activity_type, false,
                                               "this node no longer stores activities; retry",
                                               true});
        report.failed.push_back(1);
      }
    } else {
      auto t = h.queue.take(std::chrono::steady_clock::now(), timer_fired, true);
      if (t.arm_timer)
        self->delayed_send(self, std::chrono::milliseconds(settings.batch_wait_ms),
                           batch_due_atom::value);
      // Rows past their send-by time, never sent, so surely not stored: they may retry. Taken
      // rows are consecutive in the writer's order, and the expired ones are among them.
      std::size_t taken = t.expired.size() + t.batch.size();
      report.items.resize(taken);
      report.failed.assign(taken, 0);
      for (auto& q : t.expired) {
        auto k = q.seq - report.first_seq;
        report.items[k] = logged_activity{0, q.row.activity_type, false,
                                          "the activity waited too long to be stored; retry",
                                          true};
        report.failed[k] = 1;
      }
      out.seqs.reserve(t.batch.size());
      out.rows.rows.reserve(t.batch.size());
      for (auto& q : t.batch) {
        out.seqs.push_back(q.seq);
        out.rows.rows.push_back(std::move(q.row));
      }
      if (!t.batch.empty())
        h.taken_at = std::chrono::steady_clock::now();
    }
    h.taken_through += report.items.size();
    if (out.rows.rows.empty())
      h.committer_asleep = true;
    return out;
  };
  // A batch's outcome into its report; its learnable rows go to the learners from here, not
  // from the writer, so committed rows reach them whatever becomes of the writer. In id order:
  // a batch is completed only after the one before it.
  auto complete = [=](taken_batch& b, caf::result<batch_receipt>& stored) {
    auto& report = b.report;
    report.batch_rows = static_cast<std::uint32_t>(b.rows.rows.size());
    batch_receipt* receipt = nullptr;
    if (stored.flag == caf::rt_value)
      receipt = &stored.value.get_mutable_as<batch_receipt>(0);
    else
      report.batch_error = to_api_error(stored.err).message;
    for (std::size_t i = 0; i < b.seqs.size(); ++i) {
      auto k = b.seqs[i] - report.first_seq;
      if (receipt) {
        report.items[k] = std::move(receipt->items[i]);
      } else {
        report.items[k] = logged_activity{0, b.rows.rows[i].activity_type, false, commit_failed,
                                          true};
        report.failed[k] = 1;
      }
    }
    if (receipt && !receipt->learned.empty())
      self->send(learners, learn_atom::value, learn_batch{std::move(receipt->learned)});
    if (!report.items.empty())
      report_to_writer(std::move(report));
  };
  // Stores `b` and waits: for batches that cannot go by send_live (keyed rows), and whatever
  // send_live could not take. A batch refused for one of its rows is halved until each row at
  // fault stands alone.
  auto store_now = [=](const taken_batch& b) {
    return guarded(*self->state.db, [&](store_set& db) { return store_batch(db, b.rows); });
  };
  // The answer to the batch in flight; a refused one (nothing stored) is stored again row by
  // row as store_now would, and so is one whose connection broke before its commit.
  auto finish_sent = [=](const taken_batch& b) {
    bool waited = false;
    return guarded(*self->state.db, [&](store_set& db) {
      if (!waited) {
        waited = true;
        try {
          return db.activities.finish_live(b.rows);
        } catch (const storage_error& e) {
          if (e.failure != storage_error::kind::refused &&
              e.failure != storage_error::kind::unavailable)
            throw;
        }
      }
      return store_batch(db, b.rows);
    });
  };
  // Takes what waits and stores it, then looks again (by a message to itself, so that a
  // `forget_atom` or an exit is not held back by a steady stream of batches); when nothing
  // waits, sleeps until the writer's next push wakes it. A live batch's INSERT is sent before
  // the batch answered before it is completed: building receipts, passing rows to the learners
  // and reporting to the writer then overlap PostgreSQL's work on the next batch instead of
  // standing between two (bench/README.md, twentieth session).
  auto take_and_store = [=](bool timer_fired) {
    auto& st = self->state;
    std::optional<taken_batch> done;
    caf::result<batch_receipt> done_stored{caf::error{}};
    if (st.sent) {
      done = std::move(*st.sent);
      st.sent.reset();
      done_stored = finish_sent(*done);
    }
    auto next = take_next(timer_fired, done ? done->rows.rows.size() : 0);
    bool have_next = !next.rows.rows.empty();
    if (have_next && activity_store::is_live_batch(next.rows)) {
      auto sent = guarded(*st.db, [&](store_set& db) {
        db.activities.send_live(next.rows);
        return true;
      });
      if (sent.flag == caf::rt_value) {
        st.sent = std::move(next);
        have_next = false;
      }
    }
    if (done)
      complete(*done, done_stored);
    if (have_next) {
      // Keyed rows, or a live batch that could not be sent: stored now, in order.
      auto stored = store_now(next);
      {
        std::lock_guard<std::mutex> lock(handoff->mtx);
        handoff->queue.committed(next.rows.rows.size());
      }
      complete(next, stored);
    } else if (!st.sent && !next.report.items.empty()) {
      report_to_writer(std::move(next.report)); // expired or drained rows only
    }
    if (st.sent || have_next)
      self->send(self, commit_atom::value);
  };
  // Whatever waited while no committer ran (a restart) is taken at once.
  {
    std::lock_guard<std::mutex> lock(handoff->mtx);
    handoff->committer_asleep = false;
  }
  self->send(self, commit_atom::value);
  return {
    [=](commit_atom) { take_and_store(false); },
    [=](batch_due_atom) { take_and_store(true); },
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

struct writer_state {
  /// Rows waiting, with their send-by times (past it, a row is not sent to the database any
  /// more: its requester would be told 504 before the commit could answer), and the batch in
  /// flight (core/group_commit_queue), shared with the committer.
  std::shared_ptr<commit_handoff> handoff;
  /// The requests of the rows queued or committing, by the rows' numbers.
  awaiting_by_number<reply_to> awaiting;
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
  auto handoff = std::make_shared<commit_handoff>(settings);
  st.handoff = handoff;
  auto writer_addr = caf::actor_cast<caf::actor_addr>(self);
  // Fails the requests of rows the committer took and has not reported: it is gone, or stuck.
  auto fail_taken = [=](const char* why) {
    std::uint64_t through;
    {
      std::lock_guard<std::mutex> lock(handoff->mtx);
      through = handoff->taken_through;
    }
    std::int64_t failed = 0;
    for (auto seq = self->state.awaiting.oldest(); seq < through; ++seq)
      if (auto r = self->state.awaiting.take(seq)) {
        r->fail(overloaded(why));
        ++failed;
      }
    if (failed > 0) {
      m.queued.add(-failed);
      m.failures.add(1);
      log_event("error", "activity commit failed",
                {{"rows", std::to_string(failed), true}, {"error", why}});
    }
  };
  // The committer and the importer: one slot each (state.committer / state.importer mirror
  // them), restarted when they fail; their supervision is installed below.
  auto committers = std::make_shared<supervised_slots>(
    self, "activity committer", restart_policy::on_failure(), 1,
    [=](std::size_t) {
      return caf::actor_cast<caf::actor>(
        self->spawn<caf::detached>(committer, settings, learners, handoff, writer_addr));
    });
  committers->on_started = [=](std::size_t, const caf::actor& c) {
    self->state.committer = caf::actor_cast<activity_committer_actor>(c);
  };
  committers->on_stopped = [=](std::size_t) {
    self->state.committer = activity_committer_actor{};
    // Its reports came before the news of its end: what it took and did not report, its
    // successor cannot know the fate of.
    {
      std::lock_guard<std::mutex> lock(handoff->mtx);
      handoff->queue.committed(handoff->queue.in_flight());
    }
    fail_taken(commit_failed);
  };
  committers->start_all();
  // A committer stuck past twice its statement timeout (a database that stopped answering
  // altogether) answers nothing: its requests are told to retry before their HTTP deadline. A
  // report arriving later finds them answered.
  auto stuck_after = std::chrono::milliseconds(2 * settings.commit_timeout_ms);
  self->send(self, commit_watch_atom::value);
  // Queues `n` rows if they fit (waiting plus in flight within queue_max; false if not):
  // `enqueue` numbers and pushes them. Wakes the committer if it sleeps.
  auto queue_rows = [=](std::size_t n, auto&& enqueue) {
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(handoff->mtx);
      if (!handoff->queue.admits(n))
        return false;
      enqueue(handoff->queue);
      wake = std::exchange(handoff->committer_asleep, false);
    }
    if (wake && self->state.committer)
      self->send(self->state.committer, commit_atom::value);
    return true;
  };
  // Imports: a child of its own (detached: it parses and looks users up); the handle for the
  // HTTP side stops working when this writer stops.
  importer_settings imp;
  imp.conninfo = settings.conninfo;
  imp.chunk_rows = static_cast<std::size_t>(std::max(1, std::min(settings.batch_max,
                                                                 settings.queue_max)));
  auto importers = std::make_shared<supervised_slots>(
    self, "activity importer", restart_policy::on_failure(), 1, [=](std::size_t) {
      return caf::actor_cast<caf::actor>(
        self->spawn<caf::detached>(importer_behavior, imp, writer_addr));
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
      auto send_by =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(settings.send_within_ms);
      caf::typed_response_promise<logged_activity> rp;
      if (!queue_rows(1, [&](group_commit_queue<queued_row>& q) {
            rp = self->make_response_promise<logged_activity>();
            q.push({std::move(row), self->state.awaiting.add({rp, nullptr, 0})}, send_by);
          }))
        return overloaded("too many activities are waiting to be stored; retry");
      m.queued.add(1);
      return rp;
    },
    // An import's chunk: queued as one, answered with one receipt per row once all committed.
    [=](write_atom a, activity_batch& chunk) -> caf::result<batch_receipt> {
      auto route = route_write(settings.cluster);
      if (!route)
        return overloaded(no_host);
      if (!route->here)
        return forward(reply_tag<batch_receipt>{}, route->to, a, std::move(chunk));
      auto n = chunk.rows.size();
      if (n == 0)
        return batch_receipt{};
      auto reply = std::make_shared<chunk_reply>();
      if (!queue_rows(n, [&](group_commit_queue<queued_row>& q) {
            reply->promise = self->make_response_promise<batch_receipt>();
            reply->receipt.items.resize(n);
            reply->waiting = n;
            for (std::size_t k = 0; k < n; ++k)
              q.push({std::move(chunk.rows[k]), self->state.awaiting.add({{}, reply, k})});
          }))
        return overloaded("too many activities are waiting to be stored; retry");
      m.queued.add(static_cast<std::int64_t>(n));
      return reply->promise;
    },
    [=](receipts_atom, commit_report& report) {
      if (report.batch_rows > 0) {
        if (!report.batch_error.empty()) {
          m.failures.add(1);
          log_event("error", "activity commit failed",
                    {{"rows", std::to_string(report.batch_rows), true},
                     {"error", report.batch_error}});
        } else {
          m.batches.add(1);
        }
      }
      std::int64_t answered = 0, stored = 0, refused = 0;
      for (std::size_t k = 0; k < report.items.size(); ++k) {
        auto& item = report.items[k];
        bool failed = report.failed[k] != 0;
        if (!failed)
          (item.not_stored.empty() ? stored : refused) += 1;
        auto r = self->state.awaiting.take(report.first_seq + k);
        if (!r)
          continue; // answered already: the committer was taken for stuck
        ++answered;
        if (failed)
          r->fail(overloaded(item.not_stored.c_str()));
        else
          r->deliver(std::move(item));
      }
      m.queued.add(-answered);
      m.rows.add(stored);
      m.refused.add(refused);
    },
    [=](commit_watch_atom a) {
      bool stuck;
      {
        std::lock_guard<std::mutex> lock(handoff->mtx);
        stuck = handoff->queue.busy() &&
                std::chrono::steady_clock::now() - handoff->taken_at > stuck_after;
      }
      if (stuck)
        fail_taken("the database did not answer in time; the activity may not be stored: retry "
                   "(with an Idempotency-Key to be sure)");
      self->delayed_send(self, stuck_after / 4, a);
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
