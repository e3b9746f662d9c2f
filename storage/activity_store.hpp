// The activity log: inserting batches, the history route, the learners' replay and retention.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "storage/session.hpp"

namespace foresight {

class activity_store {
public:
  explicit activity_store(session& db) : db_(db) {}

  /// Inserts a batch in one transaction and returns one receipt per row, in order. A row whose
  /// (user, Idempotency-Key) exists already is not stored again: its receipt names the first row.
  batch_receipt insert_activities(const activity_batch& batch);
  /// The user's activities, newest first.
  activity_page activity_history(const history_query& q);
  /// Refreshes the planner's statistics of user_activity. After a bulk import the old ones (a
  /// user with a handful of rows now has 100k) make the planner pick nested loops that run for
  /// minutes; autovacuum would get there, but too late for the queries planned meanwhile.
  void analyze_activities();
  /// Committed learnable activities (query, suggestion_click, feedback) after `after_id`, in id
  /// order, with a feedback's rated query text.
  learn_batch replay_activities(std::int64_t after_id, int limit);
  /// The user's latest `limit` learnable activities, in id order (a session's question history).
  learn_batch recent_activities(const std::string& user_id, int limit);
  /// Empties `response_data.data` (the result rows) of up to `limit` activities older than
  /// `days` days, marking each with `data_dropped_at`; the rest of the row stays for learning.
  /// Returns how many changed (fewer than `limit`: none left).
  std::int64_t drop_old_result_rows(int days, int limit);

private:
  enum class commit_fate { committed, rolled_back, unknown };
  /// After a COMMIT whose answer was lost on the connection of backend `backend_pid`: whether the
  /// transaction that inserted activities `ids` committed, asked on a new connection.
  commit_fate fate_of_commit(int backend_pid, const std::vector<std::int64_t>& ids);

  session& db_;
};

} // namespace foresight
