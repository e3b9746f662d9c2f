// Running one blocking database operation inside an actor: a broken connection is reopened and
// the operation retried once; every failure becomes an API error value, so no exception ever
// leaves the actor (and no actor dies of a database hiccup). Logged messages are redacted.
#pragma once
#include <pqxx/pqxx>

#include "actors/messages.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "storage/database.hpp"

namespace foresight {

template <class F>
auto guarded(database& db, F op) -> caf::result<decltype(op(db))> {
  for (int attempt = 0;; ++attempt) {
    try {
      return op(db);
    } catch (const api_exception& e) {
      return to_caf_error(e.error);
    } catch (const duplicate_error& e) {
      return to_caf_error(make_error(error_code::conflict, e.what()));
    } catch (const pqxx::in_doubt_error&) {
      // The commit may or may not have happened: never retry, never claim success.
      db.disconnect();
      auto err = make_error(error_code::unavailable, "commit outcome unknown; retry");
      err.retry_after_seconds = 1;
      return to_caf_error(err);
    } catch (const pqxx::broken_connection& e) {
      // Lost before commit, so nothing was applied: one retry on a fresh connection is safe.
      db.disconnect();
      if (attempt == 0)
        continue;
      log_event("warn", "database unreachable", {{"error", database_error_summary(e.what())}});
      auto err = make_error(error_code::unavailable, "the database is unavailable; retry later");
      err.retry_after_seconds = 1;
      return to_caf_error(err);
    } catch (const std::exception& e) {
      // Only the primary message: DETAIL and CONTEXT lines quote the users' data.
      log_event("error", "storage operation failed", {{"error", database_error_summary(e.what())}});
      // A failed statement may leave the session in an odd state; start clean next time.
      db.disconnect();
      return to_caf_error(make_error(error_code::internal, "internal database error"));
    }
  }
}

} // namespace foresight
