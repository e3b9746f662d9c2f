// Typed operations on PostgreSQL. All SQL of foresightd lives in storage/, and all of it is
// parameterized. A `database` is one connection: use it from one thread only.
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/patterns.hpp"

namespace pqxx {
class connection_base;
class sql_error;
}

namespace foresight {

/// Thrown when an insert collides with an existing row (the API answers 409).
struct duplicate_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Whether PostgreSQL refused a statement for the data it carried (SQLSTATE class 22 data
/// exception, 23 integrity constraint, 54 program limit): the same rows fail again, others need
/// not.
bool refused_for_good(const pqxx::sql_error& e);

/// One libpqxx connection with the operations foresightd needs; reconnects on demand.
class database {
public:
  explicit database(std::string conninfo);
  ~database();

  /// Opens the connection if it is closed or broken. Throws pqxx::broken_connection if it cannot.
  void connect();
  /// Drops the connection; the next operation reconnects.
  void disconnect();
  enum class commit_fate { committed, rolled_back, unknown };
  /// After a COMMIT whose answer was lost on the connection of backend `backend_pid`: whether the
  /// transaction that inserted activities `ids` committed, asked on a new connection.
  commit_fate fate_of_commit(int backend_pid, const std::vector<std::int64_t>& ids);
  /// Applied to this connection (and any reconnection): statements running longer are
  /// cancelled. 0: none.
  void set_statement_timeout(int ms);

  /// Applies pending migrations; returns how many ran.
  int migrate();

  // -- users --
  bool find_user(const std::string& id, user_profile& out);
  /// Looks a user up by username and hands back the stored password hash.
  bool find_login(const std::string& username, user_profile& out, std::string& password_hash);
  /// Inserts a user whose password is already hashed, and audits it as done by `actor`. Throws
  /// duplicate_error on id/username clash.
  user_profile insert_user(const new_user& u, const std::string& password_hash,
                           const std::string& actor);
  /// Replaces a user's password hash, audited as `actor`'s; returns the change's time (Unix
  /// seconds), or -1 if there is no such user.
  std::int64_t set_password(const std::string& user_id, const std::string& password_hash,
                            const std::string& actor);
  /// Every user's last password change (Unix seconds), to revoke older tokens at start.
  std::vector<std::pair<std::string, std::int64_t>> password_changes();

  // -- audit --
  /// The audit trail, newest first: `limit` entries before id `before_id` (0: from the newest);
  /// `user_id` and `activity_type` of the query are not used.
  activity_page audit_log(const history_query& q);

  // -- connection catalogs --
  /// Creates or replaces a catalog, audited as `actor`'s; the version grows by one on every
  /// replace.
  connection_catalog put_catalog(const connection_catalog& c, const std::string& actor);
  bool get_catalog(const std::string& id, connection_catalog& out);
  catalog_list list_catalogs();

  // -- activity --
  /// Inserts a batch in one transaction and returns one receipt per row, in order. A row whose
  /// (user, Idempotency-Key) exists already is not stored again: its receipt names the first row.
  batch_receipt insert_activities(const activity_batch& batch);
  /// The user's activities, newest first.
  activity_page activity_history(const history_query& q);
  /// Refreshes the planner's statistics of user_activity. After a bulk import the old ones (a
  /// user with a handful of rows now has 100k) make the planner pick nested loops that run for
  /// minutes; autovacuum would get there, but too late for the queries planned meanwhile.
  void analyze_activities();

  // -- patterns --
  /// Committed learnable activities (query, suggestion_click, feedback) after `after_id`, in id
  /// order, with a feedback's rated query text.
  learn_batch replay_activities(std::int64_t after_id, int limit);
  /// The user's latest `limit` learnable activities, in id order (a session's question history).
  learn_batch recent_activities(const std::string& user_id, int limit);
  /// The patterns and watermark of one learner shard.
  pattern_shard_state load_pattern_shard(int shard);
  /// Writes a shard's changed patterns (absolute values) and its watermark in one transaction.
  /// Saves a learner shard's changed patterns and watermark; a pattern the database refuses for
  /// its data is logged and set aside rather than failing the save. Returns how many were.
  std::int64_t save_pattern_shard(const pattern_shard_state& state);
  /// Deletes every pattern and sets each shard's watermark to just before the activities of the
  /// last `days` days (0: all history), so that replaying rebuilds the tables.
  void reset_patterns(int days);
  /// Deletes a user's activity, own patterns, cached suggestions, impressions and preferences
  /// (with `delete_account`, the user too) and resets the patterns to replay `rebuild_days`, in
  /// one transaction. Throws api_exception(not_found) for an unknown user.
  /// Audited as `actor`'s.
  erase_report erase_user(const std::string& actor, const std::string& user_id,
                          bool delete_account, int rebuild_days);
  /// Patterns for the patterns route: the user's own and the role's shared ones.
  patterns_view read_patterns(const patterns_query& q);

  // -- suggestions --
  /// The user's preferences; the default row is created on first read.
  suggestion_preferences load_preferences(const std::string& user_id);
  /// Stores changed preferences: the version grows by one and updated_at is now.
  suggestion_preferences save_preferences(const suggestion_preferences& p);
  /// The best `limit` patterns of each scope a suggestion for this user may build on (role and
  /// global ones only with at least `min_users` distinct users). Without `shared_scopes`, only
  /// the user's own: the role's and global ones are the same for every user of the role, so the
  /// caller keeps them apart and reads them less often.
  pattern_hints read_pattern_hints(const std::string& user_id, const std::string& role,
                                   int min_users, int limit, bool shared_scopes);
  /// Every unexpired cache entry, to warm the cache at start.
  std::vector<cached_suggestions> load_suggestion_cache(int limit);
  /// Applies a write-behind batch in one transaction, after deleting up to 1000 expired entries.
  void write_suggestion_cache(const cache_writes& w);
  /// Deletes expired cache entries, then the pattern lists no unexpired entry names; returns how
  /// many entries.
  std::int64_t purge_expired_suggestions();
  /// Empties `response_data.data` (the result rows) of up to `limit` activities older than
  /// `days` days, marking each with `data_dropped_at`; the rest of the row stays for learning.
  /// Returns how many changed (fewer than `limit`: none left).
  std::int64_t drop_old_result_rows(int days, int limit);
  /// Today's (UTC) LLM usage of every user, to restore the daily budgets at start.
  std::vector<llm_usage_row> load_llm_usage_today();
  /// Adds one user's calls and tokens to today's row.
  void record_llm_usage(const std::vector<llm_usage_row>& rows);
  /// The monitoring figures of `GET /api/v1/activity/stats`.
  usage_stats read_usage_stats(int min_users);

  // -- operations --
  readiness_report readiness();

private:
  pqxx::connection_base& conn();
  struct holder; // the pqxx::connection, kept out of this header
  std::string conninfo_;
  int statement_timeout_ms_ = 0;
  std::unique_ptr<holder> conn_;
};

} // namespace foresight
