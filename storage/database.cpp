// database: SQL statements beside the functions that run them.
#include "storage/database.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <pqxx/pqxx>
#include <unordered_map>
#include <unordered_set>

#include "core/cache_key.hpp"
#include "core/json_writer.hpp"
#include "core/log.hpp"
#include "core/payloads.hpp"
#include "core/suggestions.hpp"
#include "core/views.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_array.hpp"

namespace foresight {

namespace {

// Timestamps are stored as UTC TIMESTAMP (sessions run with TimeZone = UTC) and sent as ISO 8601.
#define FS_ISO(col) "to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

const char* const user_columns =
  "id, username, role, COALESCE(department, ''), goals::text, is_admin, " FS_ISO("created_at");

user_profile read_user(const pqxx::row& r) {
  user_profile u;
  u.id = r[0].as<std::string>();
  u.username = r[1].as<std::string>();
  u.role = r[2].as<std::string>();
  u.department = r[3].as<std::string>();
  u.goals_json = r[4].as<std::string>();
  u.is_admin = r[5].as<bool>();
  u.created_at = r[6].as<std::string>();
  return u;
}

/// One audit_log row in `tx`; `detail_sql` builds its JSON from parameters $4 on (`args`).
template <class... Args>
void audit(pqxx::work& tx, const std::string& actor, const char* action, const std::string& target,
           const char* detail_sql = "'{}'::json", const Args&... args) {
  tx.exec_params(std::string("INSERT INTO audit_log (actor, action, target, detail)"
                             " VALUES ($1, $2, $3, ") +
                   detail_sql + ")",
                 actor, action, target, args...);
}

const char* const catalog_columns =
  "id, json_build_object('name', name, 'metrics', metrics, 'dimensions', dimensions,"
  " 'entities', entities)::text, version, " FS_ISO("created_at") ", " FS_ISO("updated_at");

connection_catalog read_catalog(const pqxx::row& r) {
  connection_catalog c;
  // The stored JSON has the PUT body's shape, so the same parser reads it back.
  auto err = parse_catalog(r[1].as<std::string>(), c);
  if (err)
    throw std::runtime_error("stored catalog is unreadable: " + err.message);
  c.id = r[0].as<std::string>();
  c.version = r[2].as<int>();
  c.created_at = r[3].as<std::string>();
  c.updated_at = r[4].as<std::string>();
  return c;
}

// A miss's learned patterns in one statement (one round trip, no transaction around it), prepared
// once per connection: the pattern path reads them hundreds of times a second. $5 false leaves
// out the role's and the global scopes, which the caller already has. Age is counted in whole
// hours (a 30-day half-life does not need more), so that reading unchanged patterns again gives
// equal hints, and a cache shard keeps what it built from them.
const char* const pattern_hints_statement = "pattern_hints";
const char* const pattern_hints_sql =
  "SELECT scope, query_template, frequency, success_rate, age_days, metadata FROM ("
#define FS_SCOPE(n, where)                                                                       \
  "(SELECT " #n " AS scope, query_template, frequency, success_rate,"                           \
  " COALESCE(floor(EXTRACT(EPOCH FROM (now() - last_used)) / 3600) / 24.0, 0) AS age_days,"    \
  " metadata::text AS metadata, last_used, id FROM query_patterns WHERE " where                 \
  " ORDER BY frequency DESC, last_used DESC, id LIMIT $4)"
  FS_SCOPE(0, "pattern_type = $6 AND target_id = $1")
  " UNION ALL "
  FS_SCOPE(1, "$5 AND $2 <> '' AND pattern_type = $7 AND target_id = $2"
              " AND COALESCE((metadata->>'distinct_users')::int, 0) >= $3")
  " UNION ALL "
  FS_SCOPE(2, "$5 AND pattern_type = $8 AND target_id = $9"
              " AND COALESCE((metadata->>'distinct_users')::int, 0) >= $3")
#undef FS_SCOPE
  ") AS q ORDER BY scope, frequency DESC, last_used DESC, id";

// Expired cache rows, oldest first and a bounded number per statement. The ORDER BY and LIMIT let
// the index on expires_at serve it whatever the statistics say: the plain "expires_at < now()"
// on a large table the planner had not analysed yet became a scan of the whole table (0.2 s at
// 560k rows) on every write-behind batch. A backlog, after an hour's traffic expires, goes over
// several batches instead of one long transaction.
constexpr int expired_per_delete = 1000;
const std::string delete_expired_suggestions =
  "DELETE FROM suggestion_cache WHERE id IN (SELECT id FROM suggestion_cache"
  " WHERE expires_at < now() ORDER BY expires_at LIMIT " + std::to_string(expired_per_delete) + ")";

// A pair of pattern lists is stored again (renewing its used_at) this often while rows name it;
// the purge leaves pairs renewed within the longer period alone, so that a pair the write-behind
// still takes for stored is never deleted under it. Its NOT EXISTS scans the cache table once
// per purge: an index on pattern_lists would cost every write-behind row more than that.
constexpr std::int64_t pattern_lists_renew_ms = 10 * 60 * 1000;
const std::string delete_unused_pattern_lists =
  "DELETE FROM suggestion_pattern_lists l WHERE used_at < now() - interval '15 minutes'"
  " AND NOT EXISTS (SELECT 1 FROM suggestion_cache c"
  " WHERE c.pattern_lists = l.lists_hash AND c.expires_at > now())";

} // namespace

/// A pair of pattern lists as this connection last stored it in suggestion_pattern_lists.
struct stored_pattern_lists {
  std::string hash;          ///< MD5 of the pair, its key in the table
  std::int64_t stored_ms = 0; ///< when this connection last committed it (0: not yet)
};

struct database::holder {
  pqxx::connection c;
  /// By the pair's JSON: what the write-behind need not send again (for a while).
  std::unordered_map<std::string, stored_pattern_lists> pattern_lists;
  explicit holder(const std::string& conninfo) : c(conninfo) {}
};

database::database(std::string conninfo) : conninfo_(std::move(conninfo)) {
  // nop: connects on first use
}

database::~database() = default;

void database::connect() {
  if (conn_ && conn_->c.is_open())
    return;
  conn_.reset();
  auto h = std::make_unique<holder>(conninfo_);
  pqxx::nontransaction tx{h->c};
  tx.exec("SET TIME ZONE 'UTC'");
  if (statement_timeout_ms_ > 0)
    tx.exec("SET statement_timeout = " + std::to_string(statement_timeout_ms_));
  tx.commit();
  h->c.prepare(pattern_hints_statement, pattern_hints_sql);
  conn_ = std::move(h);
}

void database::disconnect() {
  conn_.reset();
}

void database::set_statement_timeout(int ms) {
  statement_timeout_ms_ = ms;
  disconnect(); // applied at the next connect
}

pqxx::connection_base& database::conn() {
  connect();
  return conn_->c;
}

int database::migrate() {
  std::string error;
  auto plan = plan_migrations(embedded_migrations(), error);
  if (!error.empty())
    throw std::runtime_error(error);
  return apply_migrations(conn(), plan);
}

bool database::find_user(const std::string& id, user_profile& out) {
  pqxx::read_transaction tx{conn()};
  auto rows = tx.exec_params(std::string("SELECT ") + user_columns + " FROM users WHERE id = $1", id);
  if (rows.empty())
    return false;
  out = read_user(rows[0]);
  return true;
}

bool database::find_login(const std::string& username, user_profile& out,
                          std::string& password_hash) {
  pqxx::read_transaction tx{conn()};
  auto rows = tx.exec_params(std::string("SELECT ") + user_columns +
                               ", password_hash FROM users WHERE username = $1",
                             username);
  if (rows.empty())
    return false;
  out = read_user(rows[0]);
  password_hash = rows[0][7].as<std::string>();
  return true;
}

user_profile database::insert_user(const new_user& u, const std::string& password_hash,
                                   const std::string& actor) {
  pqxx::work tx{conn()};
  try {
    auto rows = tx.exec_params(
      std::string("INSERT INTO users (id, username, password_hash, role, department, goals,"
                  " is_admin) VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6::jsonb, $7) RETURNING ") +
        user_columns,
      u.id, u.username, password_hash, u.role, u.department, u.goals_json, u.is_admin);
    auto profile = read_user(rows[0]);
    audit(tx, actor, "user_created", u.id,
          "json_build_object('role', $4::text, 'is_admin', $5::boolean)", u.role, u.is_admin);
    tx.commit();
    return profile;
  } catch (const pqxx::unique_violation&) {
    throw duplicate_error("a user with id '" + u.id + "' or username '" + u.username +
                          "' exists already");
  }
}

std::int64_t database::set_password(const std::string& user_id, const std::string& password_hash,
                                   const std::string& actor) {
  pqxx::work tx{conn()};
  auto rows = tx.exec_params(
    "UPDATE users SET password_hash = $2, password_changed_at = CURRENT_TIMESTAMP WHERE id = $1"
    " RETURNING floor(EXTRACT(EPOCH FROM password_changed_at))::bigint",
    user_id, password_hash);
  if (rows.empty())
    return -1;
  audit(tx, actor, actor == user_id ? "password_changed" : "password_reset", user_id);
  tx.commit();
  return rows[0][0].as<std::int64_t>();
}

std::vector<std::pair<std::string, std::int64_t>> database::password_changes() {
  pqxx::read_transaction tx{conn()};
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r : tx.exec("SELECT id, floor(EXTRACT(EPOCH FROM password_changed_at))::bigint"
                               " FROM users WHERE password_changed_at IS NOT NULL"))
    out.emplace_back(r[0].as<std::string>(), r[1].as<std::int64_t>());
  return out;
}

activity_page database::audit_log(const history_query& q) {
  pqxx::read_transaction tx{conn()};
  auto rows = tx.exec_params(
    "SELECT row_to_json(a)::text, a.id FROM (SELECT id, " FS_ISO("created_at")
    " AS created_at, actor, action, target, detail FROM audit_log WHERE ($1 = 0 OR id < $1)"
    " ORDER BY id DESC LIMIT $2) a",
    q.before_id, q.limit);
  activity_page page;
  for (const auto& r : rows) {
    page.items_json.push_back(r[0].as<std::string>());
    page.last_id = r[1].as<std::int64_t>();
  }
  return page;
}

connection_catalog database::put_catalog(const connection_catalog& c, const std::string& actor) {
  pqxx::work tx{conn()};
  auto rows = tx.exec_params(
    std::string("INSERT INTO connections (id, name, metrics, dimensions, entities)"
                " VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb)"
                " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
                " metrics = EXCLUDED.metrics, dimensions = EXCLUDED.dimensions,"
                " entities = EXCLUDED.entities, version = connections.version + 1,"
                " updated_at = CURRENT_TIMESTAMP RETURNING ") +
      catalog_columns,
    c.id, c.name, metrics_json(c), dimensions_json(c), entities_json(c));
  auto stored = read_catalog(rows[0]);
  audit(tx, actor, "catalog_changed", c.id, "json_build_object('version', $4::integer)",
        stored.version);
  tx.commit();
  return stored;
}

bool database::get_catalog(const std::string& id, connection_catalog& out) {
  pqxx::read_transaction tx{conn()};
  auto rows = tx.exec_params(
    std::string("SELECT ") + catalog_columns + " FROM connections WHERE id = $1", id);
  if (rows.empty())
    return false;
  out = read_catalog(rows[0]);
  return true;
}

catalog_list database::list_catalogs() {
  pqxx::read_transaction tx{conn()};
  auto rows = tx.exec(std::string("SELECT ") + catalog_columns + " FROM connections ORDER BY id");
  catalog_list out;
  for (const auto& r : rows)
    out.items.push_back(read_catalog(r));
  return out;
}

namespace {

/// Where each row of a batch went: its id, whether this transaction inserted it (false: an
/// earlier row holds its Idempotency-Key), and its stored time.
struct stored_row {
  std::int64_t id = 0;
  bool inserted = false;
  std::string created_at;
};

/// A batch of live rows (no Idempotency-Key, no time of their own) goes by COPY: ids are drawn
/// first, in one statement, so rows still map back to requests by position. COPY costs
/// PostgreSQL about two thirds of the CPU of the JSON statement below (bench/README.md: ingest).
std::vector<stored_row> copy_rows(pqxx::work& tx, const activity_batch& batch) {
  auto drawn = tx.exec_params("SELECT nextval('user_activity_id_seq'), " FS_ISO("now()")
                              " FROM generate_series(1, $1)",
                              static_cast<std::int64_t>(batch.rows.size()));
  std::vector<stored_row> out(batch.rows.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].id = drawn[static_cast<int>(i)][0].as<std::int64_t>();
    out[i].inserted = true;
    out[i].created_at = drawn[static_cast<int>(i)][1].as<std::string>(); // CURRENT_TIMESTAMP
  }
  pqxx::stream_to copy{tx, "user_activity",
                       std::vector<std::string>{"id", "user_id", "activity_type", "query_text",
                                                "response_data", "suggestion_clicked",
                                                "feedback_rating", "metadata"}};
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto& r = batch.rows[i];
    auto rating = r.feedback_rating > 0 ? std::to_string(r.feedback_rating) : std::string{};
    // Null pointers are NULLs.
    copy << std::make_tuple(out[i].id, r.user_id.c_str(), r.activity_type.c_str(),
                            r.has_query_text ? r.query_text.c_str() : nullptr,
                            r.response_data_json.empty() ? nullptr : r.response_data_json.c_str(),
                            r.has_suggestion_clicked ? r.suggestion_clicked.c_str() : nullptr,
                            rating.empty() ? nullptr : rating.c_str(),
                            r.metadata_json.empty() ? "{}" : r.metadata_json.c_str());
  }
  copy.complete();
  return out;
}

/// Any batch: all rows travel as one JSON parameter of one statement, which skips rows whose
/// Idempotency-Key is taken and keeps imported rows' own times.
std::vector<stored_row> insert_rows(pqxx::work& tx, const activity_batch& batch) {
  json_writer w;
  w.begin_array();
  for (auto& r : batch.rows) {
    w.begin_object().key("user_id").value(r.user_id).key("activity_type").value(r.activity_type);
    w.key("query_text");
    r.has_query_text ? w.value(r.query_text) : w.null();
    w.key("response_data").raw(r.response_data_json);
    w.key("suggestion_clicked");
    r.has_suggestion_clicked ? w.value(r.suggestion_clicked) : w.null();
    w.key("feedback_rating");
    r.feedback_rating > 0 ? w.value(r.feedback_rating) : w.null();
    w.key("metadata").raw(r.metadata_json);
    w.key("idempotency_key");
    r.idempotency_key.empty() ? w.null() : w.value(r.idempotency_key);
    w.key("created_at");
    r.created_at.empty() ? w.null() : w.value(r.created_at);
    w.end_object();
  }
  w.end_array();
  // Each input row gets its id before the insert, so rows map back to requests by position
  // (`ord`), and a row skipped for its Idempotency-Key shows up as not inserted.
  auto rows = tx.exec_params(
    "WITH input AS MATERIALIZED ("
    "  SELECT nextval('user_activity_id_seq') AS id, x.*"
    "  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (user_id text, activity_type text,"
    "    query_text text, response_data jsonb, suggestion_clicked text, feedback_rating int,"
    "    metadata jsonb, idempotency_key text, created_at text))"
    "  WITH ORDINALITY AS x(user_id, activity_type, query_text, response_data,"
    "    suggestion_clicked, feedback_rating, metadata, idempotency_key, created_at, ord)),"
    " stored AS ("
    "  INSERT INTO user_activity (id, user_id, activity_type, query_text, response_data,"
    "    suggestion_clicked, feedback_rating, metadata, idempotency_key, created_at)"
    "  SELECT id, user_id, activity_type, query_text, response_data, suggestion_clicked,"
    "    feedback_rating, COALESCE(metadata, '{}'), idempotency_key,"
    // An imported or replayed row keeps its own time (sessions run in UTC).
    "    COALESCE(created_at::timestamptz, now()) FROM input ORDER BY ord"
    "  ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
    "  RETURNING id, " FS_ISO("created_at") " AS created_at)"
    " SELECT input.id, stored.id IS NOT NULL, stored.created_at FROM input"
    " LEFT JOIN stored USING (id) ORDER BY input.ord",
    w.str());
  if (rows.size() != batch.rows.size())
    throw std::runtime_error("activity insert returned an unexpected number of rows");
  std::vector<stored_row> out(rows.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto row = rows[static_cast<int>(i)];
    out[i].id = row[0].as<std::int64_t>();
    out[i].inserted = row[1].as<bool>();
    if (out[i].inserted)
      out[i].created_at = row[2].as<std::string>();
  }
  return out;
}

} // namespace

batch_receipt database::insert_activities(const activity_batch& batch) {
  batch_receipt receipt;
  if (batch.rows.empty())
    return receipt;
  // One round trip per step and a single commit, however large the batch. One transaction holds
  // the insert and the reads after it, so a connection lost before the commit has stored nothing
  // and may be retried.
  bool live_rows = std::all_of(batch.rows.begin(), batch.rows.end(), [](const activity_row& r) {
    return r.idempotency_key.empty() && r.created_at.empty();
  });
  pqxx::work tx{conn()};
  auto rows = live_rows ? copy_rows(tx, batch) : insert_rows(tx, batch);
  for (std::size_t i = 0; i < batch.rows.size(); ++i) {
    auto& r = batch.rows[i];
    logged_activity ack{rows[i].id, r.activity_type, false, {}, false};
    if (!rows[i].inserted) {
      // A retry: answer with the row stored under this key (earlier, or earlier in this batch,
      // which this transaction sees).
      auto first = tx.exec_params("SELECT id, activity_type FROM user_activity"
                                  " WHERE user_id = $1 AND idempotency_key = $2",
                                  r.user_id, r.idempotency_key);
      if (first.empty())
        throw std::runtime_error("idempotent row vanished");
      ack = {first[0][0].as<std::int64_t>(), first[0][1].as<std::string>(), true, {}, false};
    } else if (r.activity_type != "chat") {
      // A new learnable row: the learners get it exactly as replay_activities would.
      learned_activity l;
      l.id = ack.id;
      l.user_id = r.user_id;
      l.role = r.role;
      l.activity_type = r.activity_type;
      l.query_text = r.query_text;
      l.response_data_json = r.response_data_json;
      l.suggestion_clicked = r.suggestion_clicked;
      l.feedback_rating = r.feedback_rating;
      l.rated_activity_id = r.rated_activity_id;
      l.connection_id = r.connection_id;
      l.created_at = rows[i].created_at;
      if (r.activity_type == "feedback" && r.rated_activity_id > 0) {
        auto rated = tx.exec_params("SELECT query_text FROM user_activity WHERE id = $1"
                                    " AND user_id = $2 AND activity_type = 'query'",
                                    r.rated_activity_id, r.user_id);
        if (!rated.empty() && !rated[0][0].is_null())
          l.rated_query_text = rated[0][0].as<std::string>();
      }
      receipt.learned.push_back(std::move(l));
    }
    receipt.items.push_back(std::move(ack));
  }
  auto backend = conn().backendpid();
  try {
    tx.commit();
  } catch (const pqxx::in_doubt_error&) {
    // The COMMIT went out and its answer was lost: settle what happened before answering.
    disconnect();
    std::vector<std::int64_t> stored;
    for (auto& item : receipt.items)
      if (!item.replayed)
        stored.push_back(item.id);
    switch (fate_of_commit(backend, stored)) {
      case commit_fate::committed:
        break;
      case commit_fate::rolled_back:
        throw pqxx::broken_connection("the connection was lost before the commit took effect");
      case commit_fate::unknown:
        throw;
    }
  }
  return receipt;
}

database::commit_fate database::fate_of_commit(int backend_pid,
                                               const std::vector<std::int64_t>& ids) {
  try {
    pqxx::nontransaction tx{conn()};
    // Once the backend that ran the transaction is gone, its fate is sealed either way; one that
    // lingers (it has not noticed the lost client yet) is ended.
    bool gone = false;
    for (int i = 0; i < 40 && !gone; ++i) {
      gone = tx.exec_params("SELECT 1 FROM pg_stat_activity WHERE pid = $1", backend_pid).empty();
      if (!gone && i == 10)
        tx.exec_params("SELECT pg_terminate_backend($1)", backend_pid);
      if (!gone)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!gone)
      return commit_fate::unknown;
    if (ids.empty())
      return commit_fate::committed; // nothing new was in it
    pg_array_builder list;
    for (auto id : ids)
      list.add(id);
    auto found = tx.exec_params("SELECT count(*) FROM user_activity WHERE id = ANY($1::bigint[])",
                                list.take())[0][0].as<std::size_t>();
    if (found == ids.size())
      return commit_fate::committed;
    return found == 0 ? commit_fate::rolled_back : commit_fate::unknown;
  } catch (const std::exception&) {
    disconnect();
    return commit_fate::unknown;
  }
}

void database::analyze_activities() {
  pqxx::nontransaction tx{conn()};
  tx.exec("ANALYZE user_activity");
}

activity_page database::activity_history(const history_query& q) {
  pqxx::read_transaction tx{conn()};
  auto rows = tx.exec_params(
    "SELECT row_to_json(a)::text, a.id FROM (SELECT id, user_id, activity_type, query_text,"
    " response_data, suggestion_clicked, feedback_rating, metadata, " FS_ISO("created_at")
    " AS created_at FROM user_activity WHERE user_id = $1 AND ($2 = '' OR activity_type = $2)"
    " AND ($3 = 0 OR id < $3) ORDER BY id DESC LIMIT $4) a",
    q.user_id, q.activity_type, q.before_id, q.limit);
  activity_page page;
  for (const auto& r : rows) {
    page.items_json.push_back(r[0].as<std::string>());
    page.last_id = r[1].as<std::int64_t>();
  }
  return page;
}

namespace {

// The learners' view of an activity: the same fields, and the same rules for optional ones, as
// insert_activities publishes. `where` filters `a`.
std::string learnable_select(const char* where, const char* order) {
  return std::string(
           "SELECT a.id, a.user_id, COALESCE(a.metadata->>'role', ''), a.activity_type,"
           " COALESCE(a.query_text, ''), COALESCE(a.response_data::text, ''),"
           " COALESCE(a.suggestion_clicked, ''), COALESCE(a.feedback_rating, 0),"
           " COALESCE(rated.id, 0), COALESCE(rated.query_text, ''),"
           " CASE WHEN jsonb_typeof(a.metadata->'connection_id') = 'string'"
           "  THEN a.metadata->>'connection_id' ELSE '' END, " FS_ISO("a.created_at")
           " FROM user_activity a"
           " LEFT JOIN user_activity rated ON a.activity_type = 'feedback'"
           "  AND jsonb_typeof(a.metadata->'activity_id') = 'number'"
           "  AND a.metadata->>'activity_id' ~ '^[1-9][0-9]{0,17}$'"
           "  AND rated.id = (a.metadata->>'activity_id')::bigint"
           "  AND rated.user_id = a.user_id AND rated.activity_type = 'query'"
           " WHERE a.activity_type IN ('query', 'suggestion_click', 'feedback') AND ") +
         where + " ORDER BY a.id " + order + " LIMIT $2";
}

learn_batch to_learn_batch(const pqxx::result& rows) {
  learn_batch out;
  for (const auto& r : rows) {
    learned_activity l;
    l.id = r[0].as<std::int64_t>();
    l.user_id = r[1].as<std::string>();
    l.role = r[2].as<std::string>();
    l.activity_type = r[3].as<std::string>();
    l.query_text = r[4].as<std::string>();
    l.response_data_json = r[5].as<std::string>();
    l.suggestion_clicked = r[6].as<std::string>();
    l.feedback_rating = r[7].as<int>();
    l.rated_activity_id = r[8].as<std::int64_t>();
    l.rated_query_text = r[9].as<std::string>();
    l.connection_id = r[10].as<std::string>();
    l.created_at = r[11].as<std::string>();
    out.items.push_back(std::move(l));
  }
  return out;
}

} // namespace

learn_batch database::replay_activities(std::int64_t after_id, int limit) {
  pqxx::read_transaction tx{conn()};
  return to_learn_batch(tx.exec_params(learnable_select("a.id > $1", "ASC"), after_id, limit));
}

learn_batch database::recent_activities(const std::string& user_id, int limit) {
  pqxx::read_transaction tx{conn()};
  auto batch =
    to_learn_batch(tx.exec_params(learnable_select("a.user_id = $1", "DESC"), user_id, limit));
  std::reverse(batch.items.begin(), batch.items.end());
  return batch;
}

pattern_shard_state database::load_pattern_shard(int shard) {
  pqxx::read_transaction tx{conn()};
  pattern_shard_state state;
  state.shard = shard;
  auto w = tx.exec_params(
    "SELECT last_activity_id, generation FROM pattern_learner_state WHERE shard = $1", shard);
  if (!w.empty()) {
    state.watermark = w[0][0].as<std::int64_t>();
    state.generation = w[0][1].as<int>();
  }
  auto rows = tx.exec(
    "SELECT p.pattern_type, p.target_id, p.query_template, p.frequency,"
    " " FS_ISO("p.last_used") ", p.metadata::text,"
    " COALESCE((SELECT string_agg(u.user_id, ',' ORDER BY u.user_id) FROM query_pattern_users u"
    "  WHERE u.pattern_id = p.id), '')"
    " FROM query_patterns p");
  for (const auto& r : rows) {
    auto type = r[0].as<std::string>();
    auto target = r[1].as<std::string>();
    if (shard_of(type, target) != shard)
      continue;
    pattern_row row;
    row.type = std::move(type);
    row.target = std::move(target);
    row.template_text = r[2].as<std::string>();
    row.frequency = r[3].as<std::int64_t>();
    row.last_used = r[4].as<std::string>();
    row.metadata_json = r[5].as<std::string>();
    // User ids cannot contain commas (see is_valid_identifier).
    auto users = r[6].as<std::string>();
    for (std::size_t i = 0; i < users.size();) {
      auto comma = std::min(users.find(',', i), users.size());
      row.users.push_back(users.substr(i, comma - i));
      i = comma + 1;
    }
    state.rows.push_back(std::move(row));
  }
  return state;
}

namespace {

/// Upserts `rows` (patterns and their new users) in one statement, however many there are.
void upsert_patterns(pqxx::transaction_base& tx, const pattern_row* rows, std::size_t n) {
  json_writer w;
  w.begin_array();
  for (std::size_t i = 0; i < n; ++i) {
    auto& r = rows[i];
    w.begin_object()
      .key("type").value(r.type)
      .key("target").value(r.target)
      .key("tmpl").value(r.template_text)
      .key("frequency").value(r.frequency)
      .key("success_rate").value(r.success_rate)
      .key("avg").value(r.avg_response_time)
      .key("last_used").value(r.last_used)
      .key("metadata").raw(r.metadata_json)
      .key("users").value(r.users)
      .end_object();
  }
  w.end_array();
  tx.exec_params(
    "WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(type text, target text,"
    "  tmpl text, frequency int, success_rate float8, avg float8, last_used timestamp,"
    "  metadata jsonb, users jsonb)),"
    " saved AS (INSERT INTO query_patterns (pattern_type, target_id, query_template, frequency,"
    "  success_rate, avg_response_time, last_used, metadata)"
    "  SELECT type, target, tmpl, frequency, success_rate,"
    "   CASE WHEN avg < 0 THEN NULL ELSE avg END, last_used, metadata FROM input"
    "  ON CONFLICT (pattern_type, target_id, md5(query_template)) DO UPDATE SET"
    "  frequency = EXCLUDED.frequency, success_rate = EXCLUDED.success_rate,"
    "  avg_response_time = EXCLUDED.avg_response_time, last_used = EXCLUDED.last_used,"
    "  metadata = EXCLUDED.metadata, updated_at = CURRENT_TIMESTAMP"
    "  RETURNING id, pattern_type, target_id, query_template)"
    " INSERT INTO query_pattern_users (pattern_id, user_id)"
    " SELECT saved.id, u.user_id FROM saved JOIN input ON saved.pattern_type = input.type"
    "  AND saved.target_id = input.target AND saved.query_template = input.tmpl"
    "  CROSS JOIN LATERAL jsonb_array_elements_text(input.users) AS u(user_id)"
    " ON CONFLICT DO NOTHING",
    w.str());
}

/// Runs `op` inside a savepoint of `tx`: if it throws, `tx` is as it was before, and goes on.
/// (libpqxx 6's subtransaction sets its savepoint lazily, and exec_params never sets it.)
template <class F>
void in_savepoint(pqxx::work& tx, F op) {
  tx.exec("SAVEPOINT pattern_save");
  try {
    op();
  } catch (const pqxx::sql_error&) {
    tx.exec("ROLLBACK TO SAVEPOINT pattern_save");
    throw;
  }
  tx.exec("RELEASE SAVEPOINT pattern_save");
}

} // namespace

bool refused_for_good(const pqxx::sql_error& e) {
  auto cls = e.sqlstate().substr(0, 2);
  return cls == "22" || cls == "23" || cls == "54";
}

std::int64_t database::save_pattern_shard(const pattern_shard_state& state) {
  pqxx::work tx{conn()};
  // The row lock orders this save against a concurrent rebuild; a learner from before the
  // rebuild must not write its old counts into the fresh tables.
  auto gen = tx.exec_params(
    "SELECT generation FROM pattern_learner_state WHERE shard = $1 FOR UPDATE", state.shard);
  if (!gen.empty() && gen[0][0].as<int>() != state.generation)
    throw api_exception(make_error(error_code::conflict, "patterns were rebuilt meanwhile"));
  std::int64_t set_aside = 0;
  if (!state.rows.empty()) {
    try {
      in_savepoint(tx, [&] { upsert_patterns(tx, state.rows.data(), state.rows.size()); });
    } catch (const pqxx::sql_error& e) {
      if (!refused_for_good(e))
        throw;
      // One row the database refuses must not block its shard for good: each is saved on its
      // own, and a refused one is set aside (its counts stay in memory only).
      for (auto& r : state.rows) {
        try {
          in_savepoint(tx, [&] { upsert_patterns(tx, &r, 1); });
        } catch (const pqxx::sql_error& e) {
          if (!refused_for_good(e))
            throw;
          ++set_aside;
          log_event("warn", "pattern set aside: the database refused it",
                    {{"pattern_type", r.type}, {"target_id", r.target},
                     {"template", r.template_text.substr(0, 80)}, {"sqlstate", e.sqlstate()}});
        }
      }
    }
  }
  tx.exec_params("INSERT INTO pattern_learner_state (shard, last_activity_id, generation)"
                 " VALUES ($1, $2, $3) ON CONFLICT (shard) DO UPDATE SET"
                 " last_activity_id = EXCLUDED.last_activity_id, updated_at = CURRENT_TIMESTAMP",
                 state.shard, state.watermark, state.generation);
  tx.commit();
  return set_aside;
}

namespace {

/// Empties the pattern tables and sets every shard's watermark to replay `days` of activity
/// (0: all), under a new generation, so a save from a learner that predates it is refused.
void reset_patterns_in(pqxx::work& tx, int days) {
  tx.exec("SELECT 1 FROM pattern_learner_state FOR UPDATE"); // waits for saves under way
  tx.exec("DELETE FROM query_patterns");
  auto start = tx.exec_params(
    "SELECT COALESCE(MIN(id) - 1, (SELECT COALESCE(MAX(id), 0) FROM user_activity))"
    " FROM user_activity WHERE $1 > 0 AND created_at >= CURRENT_TIMESTAMP - make_interval(days => $1)",
    days)[0][0].as<std::int64_t>();
  if (days <= 0)
    start = 0;
  for (int shard = 0; shard < pattern_shards; ++shard)
    tx.exec_params("INSERT INTO pattern_learner_state (shard, last_activity_id, generation)"
                   " VALUES ($1, $2, 1) ON CONFLICT (shard) DO UPDATE SET"
                   " last_activity_id = EXCLUDED.last_activity_id,"
                   " generation = pattern_learner_state.generation + 1,"
                   " updated_at = CURRENT_TIMESTAMP",
                   shard, start);
}

} // namespace

void database::reset_patterns(int days) {
  pqxx::work tx{conn()};
  reset_patterns_in(tx, days);
  tx.commit();
}

erase_report database::erase_user(const std::string& actor, const std::string& user_id,
                                  bool delete_account, int rebuild_days) {
  pqxx::work tx{conn()};
  erase_report r;
  r.user_id = user_id;
  if (tx.exec_params("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", user_id).empty())
    throw api_exception(make_error(error_code::not_found, "no user '" + user_id + "'"));
  r.activities = tx.exec_params("DELETE FROM user_activity WHERE user_id = $1", user_id)
                   .affected_rows();
  r.patterns = tx.exec_params("DELETE FROM query_patterns WHERE pattern_type = $1"
                              " AND target_id = $2",
                              std::string(user_specific), user_id)
                 .affected_rows();
  r.cached_suggestions =
    tx.exec_params("DELETE FROM suggestion_cache WHERE user_id = $1", user_id).affected_rows();
  r.preferences = tx.exec_params("DELETE FROM user_suggestion_preferences WHERE user_id = $1",
                                 user_id)
                    .affected_rows() > 0;
  tx.exec_params("DELETE FROM suggestion_impressions WHERE user_id = $1", user_id);
  if (delete_account) {
    tx.exec_params("DELETE FROM users WHERE id = $1", user_id); // llm_usage goes by cascade
    r.account_deleted = true;
  }
  audit(tx, actor, delete_account ? "user_deleted" : "user_data_erased", user_id,
        "json_build_object('activities', $4::bigint)", r.activities);
  // Shared patterns hold no per-user counts: they are recomputed from the activity left, as the
  // nightly rebuild does, in the same transaction so no learner saves the erased counts back.
  reset_patterns_in(tx, rebuild_days);
  tx.commit();
  return r;
}

patterns_view database::read_patterns(const patterns_query& q) {
  pqxx::read_transaction tx{conn()};
  // Most used first, then most successful, then most recent.
  const std::string select =
    "SELECT row_to_json(p)::text FROM (SELECT id, pattern_type, target_id, query_template,"
    " frequency, success_rate, avg_response_time, " FS_ISO("last_used") " AS last_used,"
    " metadata, " FS_ISO("created_at") " AS created_at, " FS_ISO("updated_at") " AS updated_at"
    " FROM query_patterns WHERE pattern_type = $1 AND target_id = $2"
    " AND COALESCE((metadata->>'distinct_users')::int, 0) >= $3"
    " ORDER BY frequency DESC, success_rate DESC, last_used DESC, id LIMIT $4) p";
  const std::string count =
    "SELECT count(*) FROM query_patterns WHERE pattern_type = $1 AND target_id = $2"
    " AND COALESCE((metadata->>'distinct_users')::int, 0) >= $3";
  patterns_view v;
  int limit = q.all ? 1000000 : q.limit;
  for (const auto& r : tx.exec_params(select, std::string(user_specific), q.user_id, 0, limit))
    v.user_patterns.push_back(r[0].as<std::string>());
  v.user_pattern_count =
    tx.exec_params(count, std::string(user_specific), q.user_id, 0)[0][0].as<std::int64_t>();
  if (!q.role.empty()) {
    for (const auto& r :
         tx.exec_params(select, std::string(role_based), q.role, q.min_users, limit))
      v.role_patterns.push_back(r[0].as<std::string>());
    v.role_pattern_count = tx.exec_params(count, std::string(role_based), q.role, q.min_users)[0][0]
                             .as<std::int64_t>();
  }
  return v;
}

// -- suggestions ----------------------------------------------------------------------

namespace {

const char* const preference_columns =
  "user_id, preferred_query_types::text, excluded_metrics::text, preferred_metrics::text,"
  " preferred_dimensions::text, show_advanced_queries, max_suggestions, version, " FS_ISO("updated_at");

suggestion_preferences read_preferences(const pqxx::row& r) {
  suggestion_preferences p;
  p.user_id = r[0].as<std::string>();
  auto list = [&](int col, std::vector<std::string>& out) {
    if (!r[col].is_null() && !parse_string_list(r[col].as<std::string>(), out))
      throw std::runtime_error("stored preferences are unreadable");
  };
  list(1, p.preferred_query_types);
  list(2, p.excluded_metrics);
  list(3, p.preferred_metrics);
  list(4, p.preferred_dimensions);
  p.show_advanced_queries = !r[5].is_null() && r[5].as<bool>();
  p.max_suggestions = r[6].is_null() ? 6 : r[6].as<int>();
  p.version = r[7].as<int>();
  p.updated_at = r[8].is_null() ? "" : r[8].as<std::string>();
  return p;
}

std::string json_list(const std::vector<std::string>& items) {
  json_writer w;
  w.value(items);
  return w.take();
}

} // namespace

suggestion_preferences database::load_preferences(const std::string& user_id) {
  pqxx::work tx{conn()};
  tx.exec_params("INSERT INTO user_suggestion_preferences (user_id) VALUES ($1)"
                 " ON CONFLICT (user_id) DO NOTHING",
                 user_id);
  auto rows = tx.exec_params(std::string("SELECT ") + preference_columns +
                               " FROM user_suggestion_preferences WHERE user_id = $1",
                             user_id);
  tx.commit();
  return read_preferences(rows.at(0));
}

suggestion_preferences database::save_preferences(const suggestion_preferences& p) {
  pqxx::work tx{conn()};
  auto rows = tx.exec_params(
    std::string("INSERT INTO user_suggestion_preferences (user_id, preferred_query_types,"
                " excluded_metrics, preferred_metrics, preferred_dimensions,"
                " show_advanced_queries, max_suggestions, version, updated_at)"
                " VALUES ($1, $2::jsonb, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7, 1, now())"
                " ON CONFLICT (user_id) DO UPDATE SET"
                " preferred_query_types = EXCLUDED.preferred_query_types,"
                " excluded_metrics = EXCLUDED.excluded_metrics,"
                " preferred_metrics = EXCLUDED.preferred_metrics,"
                " preferred_dimensions = EXCLUDED.preferred_dimensions,"
                " show_advanced_queries = EXCLUDED.show_advanced_queries,"
                " max_suggestions = EXCLUDED.max_suggestions,"
                " version = user_suggestion_preferences.version + 1, updated_at = now()"
                " RETURNING ") + preference_columns,
    p.user_id, json_list(p.preferred_query_types), json_list(p.excluded_metrics),
    json_list(p.preferred_metrics), json_list(p.preferred_dimensions), p.show_advanced_queries,
    p.max_suggestions);
  tx.commit();
  return read_preferences(rows.at(0));
}

pattern_hints database::read_pattern_hints(const std::string& user_id, const std::string& role,
                                           int min_users, int limit, bool shared_scopes) {
  pqxx::nontransaction tx{conn()};
  pattern_hints hints;
  std::vector<pattern_hint>* scopes[] = {&hints.user, &hints.role, &hints.global};
  for (const auto& r : tx.exec_prepared(pattern_hints_statement, user_id, role, min_users, limit,
                                        shared_scopes, std::string(user_specific),
                                        std::string(role_based), std::string(global_pattern),
                                        std::string(global_target))) {
    pattern_hint h;
    h.template_text = r[1].as<std::string>();
    h.frequency = r[2].as<std::int64_t>();
    h.success_rate = r[3].is_null() ? 1.0 : r[3].as<double>();
    h.age_days = r[4].as<double>();
    if (!r[5].is_null())
      read_pattern_metadata(r[5].as<std::string>(), h);
    scopes[r[0].as<int>()]->push_back(std::move(h));
  }
  return hints;
}

std::vector<cached_suggestions> database::load_suggestion_cache(int limit) {
  pqxx::read_transaction tx{conn()};
  std::vector<cached_suggestions> out;
  auto rows = tx.exec_params(
    "SELECT c.context_hash, COALESCE(c.user_id, ''), c.suggestions::text,"
    " COALESCE(c.connection_id, ''), COALESCE(c.partial_query, ''), l.user_patterns::text,"
    " l.role_patterns::text, COALESCE(c.origin, 'patterns'),"
    " (EXTRACT(EPOCH FROM c.expires_at) * 1000)::bigint, COALESCE(c.hit_count, 0)"
    " FROM suggestion_cache c LEFT JOIN suggestion_pattern_lists l"
    " ON l.lists_hash = c.pattern_lists"
    " WHERE c.expires_at > now() ORDER BY c.expires_at DESC LIMIT $1",
    limit);
  for (const auto& r : rows) {
    if (r[5].is_null() || r[6].is_null())
      continue; // its pattern lists are gone: regenerate rather than serve it without them
    cached_suggestions c;
    c.context_hash = r[0].as<std::string>();
    c.user_id = r[1].as<std::string>();
    if (!parse_suggestions_json(r[2].as<std::string>(), c.list.suggestions) ||
        !parse_string_list(r[5].as<std::string>(), c.list.user_patterns) ||
        !parse_string_list(r[6].as<std::string>(), c.list.role_patterns))
      continue; // written by something else; regenerate rather than serve it
    c.list.connection_id = r[3].as<std::string>();
    c.list.partial_query = r[4].as<std::string>();
    c.list.source = r[7].as<std::string>();
    c.expires_at_ms = r[8].as<std::int64_t>();
    c.hit_count = r[9].as<std::int64_t>();
    out.push_back(std::move(c));
  }
  return out;
}

void database::write_suggestion_cache(const cache_writes& w) {
  pqxx::work tx{conn()};
  // A cache: a crash may lose the last fraction of a second of it, which the next misses
  // regenerate, so its commits need not wait for the WAL flush.
  tx.exec("SET LOCAL synchronous_commit = off");
  if (!w.invalidated_users.empty())
    tx.exec_params("DELETE FROM suggestion_cache WHERE user_id IN"
                   " (SELECT jsonb_array_elements_text($1::jsonb))",
                   json_list(w.invalidated_users));
  // Pattern lists this batch stores, marked stored once it commits.
  std::vector<stored_pattern_lists*> storing;
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  if (!w.inserts.empty()) {
    // "Auto-cleanup of expired entries on insert" (the spec's caching strategy).
    tx.exec(delete_expired_suggestions);
    auto& known = conn_->pattern_lists;
    if (known.size() > 10000)
      known.clear(); // stored again when next named, which is harmless
    // One array per column, read back with unnest. The last entry for a hash wins (one
    // statement cannot update a row twice).
    pg_array_builder hash, user, suggestions, connection, partial, lists, origin, expires;
    pg_array_builder new_lists, new_user_patterns, new_role_patterns;
    std::unordered_set<std::string_view> seen;
    for (auto i = w.inserts.rbegin(); i != w.inserts.rend(); ++i) {
      auto& c = *i;
      if (!seen.insert(c.context_hash).second)
        continue;
      hash.add(c.context_hash);
      user.add(c.user_id);
      std::string scratch;
      suggestions.add(suggestions_json_of(c.list, scratch));
      connection.add(c.list.connection_id);
      partial.add(c.list.partial_query);
      auto user_json = json_list(c.list.user_patterns), role_json = json_list(c.list.role_patterns);
      auto [pair, added] = known.try_emplace(user_json + '\n' + role_json);
      if (added)
        pair->second.hash = md5_hex(pair->first);
      if (now - pair->second.stored_ms >= pattern_lists_renew_ms &&
          std::find(storing.begin(), storing.end(), &pair->second) == storing.end()) {
        new_lists.add(pair->second.hash);
        new_user_patterns.add(user_json);
        new_role_patterns.add(role_json);
        storing.push_back(&pair->second);
      }
      lists.add(pair->second.hash);
      origin.add(c.list.source);
      expires.add(c.expires_at_ms);
    }
    if (!storing.empty())
      tx.exec_params("INSERT INTO suggestion_pattern_lists (lists_hash, user_patterns,"
                     " role_patterns, used_at)"
                     " SELECT x.h, x.u, x.r, now()"
                     " FROM unnest($1::text[], $2::jsonb[], $3::jsonb[]) AS x(h, u, r)"
                     " ON CONFLICT (lists_hash) DO UPDATE SET used_at = now()",
                     new_lists.take(), new_user_patterns.take(), new_role_patterns.take());
    tx.exec_params(
      "INSERT INTO suggestion_cache (context_hash, user_id, suggestions, connection_id,"
      " partial_query, pattern_lists, origin, generated_at, expires_at, hit_count)"
      " SELECT x.h, x.u, x.s, x.c, x.p, x.l, x.o, now(),"
      " (to_timestamp(x.e / 1000.0) AT TIME ZONE 'UTC'), 0"
      " FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[],"
      " $7::text[], $8::bigint[]) AS x(h, u, s, c, p, l, o, e)"
      " WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = x.u)"
      " ON CONFLICT (context_hash) DO UPDATE SET suggestions = EXCLUDED.suggestions,"
      " user_id = EXCLUDED.user_id, connection_id = EXCLUDED.connection_id,"
      " partial_query = EXCLUDED.partial_query, pattern_lists = EXCLUDED.pattern_lists,"
      " origin = EXCLUDED.origin, generated_at = now(), expires_at = EXCLUDED.expires_at,"
      " hit_count = 0",
      hash.take(), user.take(), suggestions.take(), connection.take(), partial.take(),
      lists.take(), origin.take(), expires.take());
  }
  if (!w.hits.empty()) {
    json_writer hits;
    hits.begin_array();
    for (auto& h : w.hits)
      hits.begin_object().key("h").value(h.context_hash).key("n").value(h.hits).end_object();
    hits.end_array();
    tx.exec_params("UPDATE suggestion_cache c SET hit_count = c.hit_count + x.n"
                   " FROM jsonb_to_recordset($1::jsonb) AS x(h text, n bigint)"
                   " WHERE c.context_hash = x.h",
                   hits.take());
  }
  if (!w.impressions.empty()) {
    json_writer imps;
    imps.begin_array();
    for (auto& i : w.impressions)
      imps.begin_object()
        .key("u").value(i.user_id)
        .key("c").value(i.connection_id)
        .key("s").value(i.source)
        .key("l").value(i.lists)
        .key("n").value(i.suggestions)
        .key("a").value(i.arm)
        .end_object();
    imps.end_array();
    tx.exec_params("INSERT INTO suggestion_impressions (user_id, connection_id, source, lists,"
                   " suggestions, arm)"
                   " SELECT x.u, x.c, x.s, x.l, x.n, x.a FROM jsonb_to_recordset($1::jsonb)"
                   " AS x(u text, c text, s text, l int, n int, a text)"
                   " WHERE EXISTS (SELECT 1 FROM users WHERE id = x.u)",
                   imps.take());
  }
  tx.commit();
  for (auto* p : storing)
    p->stored_ms = now;
}

std::int64_t database::drop_old_result_rows(int days, int limit) {
  pqxx::work tx{conn()};
  // `data` stays present (as []), so a replay still assesses the query as it was assessed.
  auto n = tx.exec_params(
               "UPDATE user_activity SET response_data = jsonb_set(response_data, '{data}', '[]')"
               " || jsonb_build_object('data_dropped_at', " FS_ISO("CURRENT_TIMESTAMP") ")"
               " WHERE id IN (SELECT id FROM user_activity"
               "  WHERE created_at < CURRENT_TIMESTAMP - make_interval(days => $1)"
               "  AND jsonb_typeof(response_data->'data') IN ('array', 'object', 'string')"
               "  AND response_data->'data' NOT IN ('[]', '{}', '\"\"') LIMIT $2)",
               days, limit)
             .affected_rows();
  tx.commit();
  return static_cast<std::int64_t>(n);
}

std::int64_t database::purge_expired_suggestions() {
  std::int64_t purged = 0;
  for (;;) {
    pqxx::work tx{conn()};
    auto n = static_cast<std::int64_t>(tx.exec(delete_expired_suggestions).affected_rows());
    if (n < expired_per_delete)
      tx.exec(delete_unused_pattern_lists); // once, after the last expired rows
    tx.commit();
    purged += n;
    if (n < expired_per_delete)
      return purged;
  }
}

std::vector<llm_usage_row> database::load_llm_usage_today() {
  pqxx::read_transaction tx{conn()};
  std::vector<llm_usage_row> out;
  for (const auto& r : tx.exec("SELECT user_id, calls, tokens_in, tokens_out FROM llm_usage"
                               " WHERE day = (now() AT TIME ZONE 'UTC')::date"))
    out.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
                   r[3].as<std::int64_t>()});
  return out;
}

void database::record_llm_usage(const std::vector<llm_usage_row>& rows) {
  pqxx::work tx{conn()};
  for (auto& u : rows)
    tx.exec_params("INSERT INTO llm_usage (user_id, day, calls, tokens_in, tokens_out)"
                 " SELECT $1::varchar, (now() AT TIME ZONE 'UTC')::date, $2, $3, $4"
                 " WHERE EXISTS (SELECT 1 FROM users WHERE id = $1::varchar)"
                 " ON CONFLICT (user_id, day) DO UPDATE SET"
                 " calls = llm_usage.calls + EXCLUDED.calls,"
                 " tokens_in = llm_usage.tokens_in + EXCLUDED.tokens_in,"
                 " tokens_out = llm_usage.tokens_out + EXCLUDED.tokens_out",
                   u.user_id, u.calls, u.tokens_in, u.tokens_out);
  tx.commit();
}

usage_stats database::read_usage_stats(int min_users) {
  pqxx::read_transaction tx{conn()};
  usage_stats s;
  // The spec's four monitoring queries, each as one JSON value.
  auto cache = tx.exec(
    "SELECT COALESCE(COUNT(*) FILTER (WHERE hit_count > 0) * 100.0 / NULLIF(COUNT(*), 0), 0),"
    " COUNT(*) FROM suggestion_cache WHERE generated_at >= now() - INTERVAL '24 hours'");
  s.cache_hit_rate_percent = cache[0][0].as<double>();
  s.cache_entries_24h = cache[0][1].as<std::int64_t>();
  s.top_role_patterns_json = tx.exec_params(
    "SELECT COALESCE(json_agg(json_build_object('role', role, 'query_template', query_template,"
    " 'frequency', frequency, 'success_rate', success_rate) ORDER BY role, frequency DESC), '[]')"
    " FROM (SELECT target_id AS role, query_template, frequency, success_rate,"
    " row_number() OVER (PARTITION BY target_id ORDER BY frequency DESC, id) AS n"
    " FROM query_patterns WHERE pattern_type = 'role_based'"
    " AND COALESCE((metadata->>'distinct_users')::int, 0) >= $1) p WHERE n <= 10",
    min_users)[0][0].as<std::string>();
  s.activity_breakdown_json = tx.exec(
    "SELECT COALESCE(json_agg(json_build_object('activity_type', activity_type, 'count', n,"
    " 'unique_users', u) ORDER BY n DESC), '[]') FROM (SELECT activity_type, COUNT(*) AS n,"
    " COUNT(DISTINCT user_id) AS u FROM user_activity"
    " WHERE created_at >= now() - INTERVAL '7 days' GROUP BY activity_type) b")[0][0]
                                .as<std::string>();
  // Activity over time, per UTC day (today and the 13 days before), for the dashboard's chart.
  s.activity_by_day_json = tx.exec(
    "SELECT COALESCE(json_agg(json_build_object('day', to_char(d, 'YYYY-MM-DD'), 'activity_type',"
    " activity_type, 'count', n) ORDER BY d, activity_type), '[]') FROM (SELECT"
    " date_trunc('day', created_at AT TIME ZONE 'UTC') AS d, activity_type, COUNT(*) AS n"
    " FROM user_activity WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC')"
    " AT TIME ZONE 'UTC' - INTERVAL '13 days' GROUP BY 1, 2) b")[0][0]
                            .as<std::string>();
  // Click-through: clicks over impressions (served lists), not over queries.
  s.click_through_json = tx.exec(
    "WITH acts AS (SELECT user_id, COUNT(*) FILTER (WHERE activity_type = 'query') AS queries,"
    "   COUNT(suggestion_clicked) FILTER (WHERE activity_type = 'suggestion_click') AS clicks"
    "   FROM user_activity WHERE activity_type IN ('query', 'suggestion_click')"
    "   AND created_at >= now() - INTERVAL '30 days' GROUP BY user_id),"
    " imps AS (SELECT user_id, SUM(lists) AS impressions FROM suggestion_impressions"
    "   WHERE served_at >= now() - INTERVAL '30 days' GROUP BY user_id),"
    " joined AS (SELECT user_id, COALESCE(a.queries, 0) AS queries, COALESCE(a.clicks, 0) AS clicks,"
    "   COALESCE(i.impressions, 0) AS impressions FROM acts a FULL JOIN imps i USING (user_id))"
    " SELECT COALESCE(json_agg(json_build_object('user_id', user_id, 'total_queries', queries,"
    " 'clicked_suggestions', clicks, 'impressions', impressions, 'click_through_rate',"
    " CASE WHEN impressions > 0 THEN round(clicks::numeric / impressions, 4)::float8 END)"
    " ORDER BY CASE WHEN impressions > 0 THEN clicks::float / impressions END DESC NULLS LAST,"
    " user_id), '[]') FROM (SELECT * FROM joined ORDER BY clicks DESC LIMIT 1000) j")[0][0]
                           .as<std::string>();
  // Click-through per ranking strategy (A/B arm): clicks carry their arm in the metadata.
  s.click_through_by_arm_json = tx.exec(
    "WITH c AS (SELECT metadata->>'arm' AS arm, COUNT(*) AS clicks FROM user_activity"
    "   WHERE activity_type = 'suggestion_click' AND metadata ? 'arm'"
    "   AND created_at >= now() - INTERVAL '30 days' GROUP BY 1),"
    " i AS (SELECT arm, SUM(lists) AS impressions FROM suggestion_impressions"
    "   WHERE served_at >= now() - INTERVAL '30 days' AND arm <> '' GROUP BY arm)"
    " SELECT COALESCE(json_agg(json_build_object('strategy', arm, 'impressions',"
    " COALESCE(i.impressions, 0), 'clicked_suggestions', COALESCE(c.clicks, 0),"
    " 'click_through_rate', CASE WHEN i.impressions > 0"
    " THEN round(COALESCE(c.clicks, 0)::numeric / i.impressions, 4)::float8 END) ORDER BY arm),"
    " '[]') FROM c FULL JOIN i USING (arm)")[0][0].as<std::string>();
  return s;
}

readiness_report database::readiness() {
  readiness_report report;
  pqxx::read_transaction tx{conn()};
  report.database_reachable = true;
  auto rows = tx.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  report.schema_version = rows[0][0].as<int>();
  report.migrations_applied = report.schema_version >= latest_migration_version();
  if (!report.migrations_applied)
    report.detail = "schema at version " + std::to_string(report.schema_version) + ", binary expects " +
                    std::to_string(latest_migration_version());
  return report;
}

} // namespace foresight
