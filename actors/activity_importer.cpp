// activity_importer: the import's work happens here, on the importer's own thread, never on an
// HTTP IO thread: the caller's permission, parsing and validating every line, looking the users
// up, then one chunk after the other through the writer (the next chunk leaves only when the last
// one's receipt is back, so an import never floods the writer's queue).
#include "actors/activity_importer.hpp"

#include <caf/all.hpp>
#include <mutex>
#include <unordered_map>

#include "actors/messages.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "storage/storage_error.hpp"
#include "storage/store_set.hpp"

namespace foresight {

namespace {

/// Rows stored since the planner's statistics were last refreshed: at the end of an import above
/// the first; during one, above the second or above all this importer stored before, whichever
/// is more (so a long import pays for a few ANALYZEs, not one per 20k rows). See
/// activity_store::analyze_activities for why.
constexpr std::int64_t analyze_after_import = 1000;
constexpr std::int64_t analyze_during_import = 20000;

/// How long a chunk the writer keeps refusing (queue full, commit failed) is retried before its
/// lines are given up as `not_stored`; the keys make every retry safe.
constexpr int max_chunk_attempts = 60;

struct import_job {
  caf::response_promise promise;
  std::unique_ptr<import_run> run;
  activity_batch chunk; ///< in flight, kept for retries
  int attempts = 0;
};

struct importer_state {
  std::unique_ptr<store_set> db;
  std::unordered_map<std::uint64_t, std::shared_ptr<import_job>> jobs;
  std::uint64_t next_job = 1;
  std::int64_t unanalysed = 0; ///< rows imported since the last ANALYZE
  std::int64_t analysed = 0;   ///< rows imported before it
};

caf::error api(error_code code, std::string message, std::string field = {}) {
  return to_caf_error(make_error(code, std::move(message), std::move(field)));
}

/// Runs `op` on the importer's connection: a broken connection is reopened once; any failure
/// becomes the error to answer with.
template <class F>
caf::error with_db(store_set& db, F op) {
  for (int attempt = 0;; ++attempt) {
    try {
      op(db);
      return {};
    } catch (const storage_error& e) {
      db.db.disconnect();
      if (e.failure != storage_error::kind::unavailable) {
        log_event("error", "import lookup failed", {{"error", database_error_summary(e.what())}});
        return api(error_code::internal, "internal database error");
      }
      if (attempt == 0)
        continue;
      auto err = make_error(error_code::unavailable, "the database is unavailable; retry later");
      err.retry_after_seconds = 1;
      return to_caf_error(err);
    } catch (const std::exception& e) {
      db.db.disconnect();
      log_event("error", "import lookup failed", {{"error", database_error_summary(e.what())}});
      return api(error_code::internal, "internal database error");
    }
  }
}

} // namespace

activity_importer_actor::behavior_type importer_behavior(activity_importer_actor::pointer self,
                                                        importer_settings settings,
                                                        caf::actor_addr writer) {
  auto st = std::make_shared<importer_state>();
  st->db = std::make_unique<store_set>(settings.conninfo);
  auto chunk_rows = std::max<std::size_t>(settings.chunk_rows, 1);
  auto analyze_if = [=](std::int64_t at_least) {
    if (st->unanalysed < at_least || st->unanalysed == 0)
      return;
    if (auto err = with_db(*st->db, [](store_set& db) { db.activities.analyze_activities(); }))
      log_event("warn", "could not refresh the statistics after an import",
                {{"error", to_api_error(err).message}});
    st->analysed += st->unanalysed;
    st->unanalysed = 0;
  };
  // Sends the job's next chunk, or answers once there is none. Declared first: it calls itself
  // from the receipts' handlers.
  auto step = std::make_shared<std::function<void(std::uint64_t, bool)>>();
  std::weak_ptr<std::function<void(std::uint64_t, bool)>> weak_step = step;
  *step = [=](std::uint64_t id, bool retry) {
    auto i = st->jobs.find(id);
    if (i == st->jobs.end())
      return;
    auto job = i->second;
    auto& run = *job->run;
    if (!retry) {
      job->chunk = run.next_chunk(chunk_rows);
      job->attempts = 0;
    }
    if (job->chunk.rows.empty()) {
      // Lines that were all rejected before storing leave nothing to send.
      if (run.finished()) {
        analyze_if(analyze_after_import);
        auto report = run.take_report();
        log_event("info", "activities imported",
                  {{"imported", std::to_string(report.imported), true},
                   {"duplicates", std::to_string(report.duplicates), true},
                   {"rejected", std::to_string(report.rejected), true}});
        job->promise.deliver(std::move(report));
        st->jobs.erase(id);
        return;
      }
      // next_chunk gave nothing yet lines remain: cannot happen, but never spin.
      run.failed(make_error(error_code::internal, "no progress"));
      return (*weak_step.lock())(id, false);
    }
    auto target = caf::actor_cast<activity_batch_sink_actor>(writer);
    auto give_up_or_retry = [=](const api_error& err) {
      auto again = st->jobs.find(id);
      if (again == st->jobs.end())
        return;
      auto& j = *again->second;
      if (err.code == error_code::unavailable && ++j.attempts < max_chunk_attempts) {
        // Queue full or a failed commit: wait, then send the same chunk again.
        auto wait = std::chrono::milliseconds(std::min(1000, 20 << std::min(j.attempts, 6)));
        self->delayed_send(self, wait, import_retry_atom::value, id);
        return;
      }
      log_event("warn", "import chunk not stored",
                {{"rows", std::to_string(j.chunk.rows.size()), true}, {"error", err.message}});
      j.run->failed(err);
      if (auto f = weak_step.lock())
        (*f)(id, false);
    };
    if (!target)
      return give_up_or_retry(make_error(error_code::unavailable, "the activity writer stopped"));
    // No timeout: the writer always answers (receipts, failure or overload).
    self->request(target, caf::infinite, write_atom::value, job->chunk)
      .then(
        [=](batch_receipt& receipt) {
          auto again = st->jobs.find(id);
          if (again == st->jobs.end())
            return;
          again->second->run->stored(receipt.items);
          for (auto& item : receipt.items)
            st->unanalysed += item.replayed ? 0 : 1;
          analyze_if(std::max(analyze_during_import, st->analysed));
          if (auto f = weak_step.lock())
            (*f)(id, false);
        },
        [=](caf::error& e) { give_up_or_retry(to_api_error(e)); });
  };
  // Stopped (the writer stops): every import still running learns it, so no requester is left
  // waiting for its deadline (and shutdown for it).
  self->set_exit_handler([=](caf::exit_msg& em) {
    auto err = make_error(error_code::unavailable, "the server stopped during the import; import "
                                                   "the file again (stored lines are skipped)");
    err.retry_after_seconds = 1;
    for (auto& [id, job] : st->jobs)
      job->promise.deliver(to_caf_error(err));
    st->jobs.clear();
    self->quit(em.reason);
  });
  return {
    [=](import_atom, const std::string& caller, std::string& body,
        std::uint64_t max_text_bytes) -> caf::result<import_report> {
      user_profile who;
      bool known = false;
      if (auto err = with_db(*st->db, [&](store_set& db) { known = db.users.find_user(caller, who); }))
        return err;
      if (!known)
        return api(error_code::unauthorized, "the token's user no longer exists");
      if (!who.is_admin)
        return api(error_code::forbidden, "this operation needs an admin user");
      if (body.find_first_not_of(" \t\r\n") == std::string::npos)
        return api(error_code::validation_failed,
                   "the body is empty; send one JSON activity per line", "body");
      import_report report;
      auto lines = parse_import(body, static_cast<std::size_t>(max_text_bytes), report);
      std::string().swap(body); // the parsed lines hold what is needed
      auto job = std::make_shared<import_job>();
      job->run = std::make_unique<import_run>(std::move(lines), std::move(report));
      // Each lookup on its own (with_db may run it twice): resolve_users must run only once.
      caf::error lookup_failed;
      job->run->resolve_users([&](const std::string& id, user_profile& out) {
        bool found = false;
        if (!lookup_failed)
          lookup_failed = with_db(*st->db, [&](store_set& db) { found = db.users.find_user(id, out); });
        return found;
      });
      if (lookup_failed)
        return lookup_failed; // nothing was stored yet
      job->promise = self->make_response_promise();
      auto id = st->next_job++;
      st->jobs.emplace(id, job);
      (*step)(id, false);
      return job->promise;
    },
    [=](import_retry_atom, std::uint64_t id) { (*step)(id, true); },
  };
}

// -- the handle app/serve.cpp gives the HTTP handlers ---------------------------------------

namespace {

class published_importer : public activity_importer {
public:
  explicit published_importer(caf::actor_system& sys) : sys_(&sys) {}

  void attach(import_endpoint_actor writer) {
    std::lock_guard<std::mutex> lock{mtx_};
    if (sys_) // not closed meanwhile
      writer_ = std::move(writer);
  }

  void import_activities(std::string caller, std::string body, std::size_t max_text_bytes,
                         callback<import_report> done) override {
    std::lock_guard<std::mutex> lock{mtx_};
    if (!sys_ || !writer_) {
      auto err = make_error(error_code::unavailable,
                            sys_ ? "the server is starting; retry" : "the server is shutting down");
      err.retry_after_seconds = 1;
      return done({{}, err});
    }
    // One short-lived requester per import (imports are rare; caf-0.17.md §6, option A). The
    // deadline only guards against an importer that died holding the promise.
    auto body_ptr = std::make_shared<std::string>(std::move(body));
    sys_->spawn([=, writer = writer_](caf::event_based_actor* self) {
      self->request(writer, std::chrono::seconds(3600), import_atom::value, caller,
                    std::move(*body_ptr), static_cast<std::uint64_t>(max_text_bytes))
        .then([=](import_report& r) { done({std::move(r), {}}); },
              [=](caf::error& e) { done({{}, to_api_error(e)}); });
    });
  }

  void close() {
    std::lock_guard<std::mutex> lock{mtx_};
    sys_ = nullptr;
    writer_ = nullptr;
  }

private:
  std::mutex mtx_;
  caf::actor_system* sys_;
  import_endpoint_actor writer_;
};

std::mutex current_mtx;
std::shared_ptr<published_importer> current;

} // namespace

std::shared_ptr<activity_importer> running_activity_importer() {
  std::lock_guard<std::mutex> lock{current_mtx};
  return current;
}

std::shared_ptr<activity_importer> publish_activity_importer(caf::actor_system& sys) {
  auto p = std::make_shared<published_importer>(sys);
  std::lock_guard<std::mutex> lock{current_mtx};
  current = p;
  return p;
}

void attach_activity_writer(const std::shared_ptr<activity_importer>& importer,
                            import_endpoint_actor writer) {
  if (auto p = std::dynamic_pointer_cast<published_importer>(importer))
    p->attach(std::move(writer));
}

void close_activity_importer(const std::shared_ptr<activity_importer>& importer) {
  if (auto p = std::dynamic_pointer_cast<published_importer>(importer))
    p->close();
  std::lock_guard<std::mutex> lock{current_mtx};
  if (current == importer)
    current = nullptr;
}

} // namespace foresight
