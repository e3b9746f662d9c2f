// The activity log: inserting batches, the history route, the learners' replay and retention.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model.hpp"
#include "core/recent_query_texts.hpp"
#include "storage/session.hpp"
#include "storage/storage_error.hpp"

namespace pqxx {
class transaction_base;
}

namespace foresight {

class activity_store {
public:
  explicit activity_store(session& db);
  ~activity_store();

  /// Inserts a batch in one transaction and returns one receipt per row, in order. A row whose
  /// (user, Idempotency-Key) exists already is not stored again: its receipt names the first row.
  batch_receipt insert_activities(const activity_batch& batch);
  /// Connects and prepares the statements for live batches of up to `batch_rows` rows. A new
  /// backend's first batch otherwise waits for the connection (with its password exchange),
  /// the statement's parse and the table's catalog entries: 41 ms, measured under load.
  void prepare_live_inserts(std::size_t batch_rows);
  /// Whether `batch` goes by one live INSERT: no Idempotency-Key or time of its own in any row,
  /// and at most 4096 rows. Only such batches may go by send_live.
  static bool is_live_batch(const activity_batch& batch);
  /// Sends the INSERT of the live `batch` and returns before its answer, so that the caller's
  /// work between two batches overlaps PostgreSQL's work on this one; finish_live waits for it.
  /// One at a time, on a connection of its own. Throws storage_error if nothing was sent.
  void send_live(const activity_batch& batch);
  /// The answer to the batch send_live sent (pass the same batch): its receipt as
  /// insert_activities gives it, or the storage_error insert_activities would throw (refused:
  /// nothing stored; unavailable: lost before the commit, nothing stored; commit_unknown).
  batch_receipt finish_live(const activity_batch& batch);
  /// Drops what this store remembers of the user's rows (after an erase).
  void forget_user(const std::string& user_id) { recent_queries_.forget_user(user_id); }
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
  /// Live rows (no Idempotency-Key, no time of their own; at most 4096 in a batch): one
  /// prepared INSERT outside a transaction block, committed as it runs.
  batch_receipt insert_live(const activity_batch& batch);
  /// Any batch: one statement that skips taken keys and keeps rows' own times, in a transaction.
  batch_receipt insert_keyed(const activity_batch& batch);
  /// `n` new ids, increasing from call to call.
  std::vector<std::int64_t> draw_ids(std::size_t n);
  /// The query texts the batch's feedback rows rate (the user's own queries only), by id: from
  /// recent_queries_, the others asked in one statement on `tx`.
  std::unordered_map<std::int64_t, std::string> rated_queries(pqxx::transaction_base& tx,
                                                              const activity_batch& batch);
  /// Keeps the committed query rows of `batch` for rated_queries.
  void remember_queries(const activity_batch& batch, const batch_receipt& receipt);

  enum class commit_fate { committed, rolled_back, unknown };
  /// After a COMMIT whose answer was lost on the connection of backend `backend_pid`: whether the
  /// transaction that inserted activities `ids` committed, asked on a new connection.
  commit_fate fate_of_commit(int backend_pid, const std::vector<std::int64_t>& ids);

  /// What a live batch is stored under, settled before its INSERT is sent: its receipt then
  /// needs nothing of the answer but success.
  struct live_plan {
    std::vector<std::int64_t> ids; ///< one per row, in order
    std::unordered_map<std::int64_t, std::string> rated; ///< rated_queries' answer
    std::string created_at; ///< as FS_ISO reads it back
    std::string stored_at;  ///< created_at without its zone (sessions run in UTC)
  };
  live_plan plan_live(const activity_batch& batch);
  /// The receipt of live `batch`, stored as `plan` says.
  batch_receipt live_receipt(const activity_batch& batch, const live_plan& plan);

  session& db_;
  /// send_live's connection (libpqxx 6.4 cannot send a prepared statement without waiting).
  struct async_connection;
  std::unique_ptr<async_connection> async_;
  /// Connects send_live's connection if need be, and prepares statement `name` on it. Throws
  /// storage_error (unavailable) if it cannot.
  void async_prepare(const std::string& name, const std::string& sql);
  /// Drops send_live's connection after `what` failed on it; the error to throw.
  storage_error async_lost(const char* what);
  /// What finish_live needs of the batch send_live sent.
  struct sent_live {
    bool sent = false;
    int backend = 0;
    live_plan plan;
  } sent_;
  /// Ids drawn ahead for live rows, used in order.
  struct id_block {
    std::vector<std::int64_t> block;
    std::int64_t next = 0; ///< the first unused one in `block`
    std::chrono::steady_clock::time_point drawn_at;
  } ids_;
  /// The latest queries this store committed, for the feedback rows that rate them.
  recent_query_texts recent_queries_{4096};
};

} // namespace foresight
