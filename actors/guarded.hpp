// Running one blocking database operation inside an actor: a broken connection is reopened and
// the operation retried once; every failure becomes an API error value, so no exception ever
// leaves the actor (and no actor dies of a database hiccup). Logged messages are redacted.
#pragma once
#include "actors/messages.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "storage/storage_error.hpp"
#include "storage/store_set.hpp"

namespace foresight {

template <class F>
auto guarded(store_set& db, F op) -> caf::result<decltype(op(db))> {
  using kind = storage_error::kind;
  for (int attempt = 0;; ++attempt) {
    try {
      return op(db);
    } catch (const api_exception& e) {
      return to_caf_error(e.error);
    } catch (const storage_error& e) {
      if (e.failure == kind::conflict || e.failure == kind::not_found)
        return to_caf_error(make_error(
          e.failure == kind::conflict ? error_code::conflict : error_code::not_found, e.what()));
      // Anything else may leave the session in an odd state; start clean next time.
      db.db.disconnect();
      if (e.failure == kind::commit_unknown) {
        // The commit may or may not have happened: never retry, never claim success.
        auto err = make_error(error_code::unavailable, "commit outcome unknown; retry");
        err.retry_after_seconds = 1;
        return to_caf_error(err);
      }
      if (e.failure == kind::unavailable) {
        // Lost before commit, so nothing was applied: one retry on a fresh connection is safe.
        if (attempt == 0)
          continue;
        log_event("warn", "database unreachable", {{"error", database_error_summary(e.what())}});
        auto err = make_error(error_code::unavailable, "the database is unavailable; retry later");
        err.retry_after_seconds = 1;
        return to_caf_error(err);
      }
      // Only the primary message: DETAIL and CONTEXT lines quote the users' data.
      log_event("error", "storage operation failed", {{"error", database_error_summary(e.what())}});
      return to_caf_error(make_error(error_code::internal, "internal database error"));
    } catch (const std::exception& e) {
      log_event("error", "storage operation failed", {{"error", database_error_summary(e.what())}});
      db.db.disconnect();
      return to_caf_error(make_error(error_code::internal, "internal database error"));
    }
  }
}

} // namespace foresight
