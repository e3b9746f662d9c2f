// activity_store: the user_activity table.
#include "storage/activity_store.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/activity.hpp"
#include "core/activity_type.hpp"
#include "core/json_writer.hpp"
#include "core/timestamp.hpp"
#include "storage/pg_array.hpp"
#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

namespace {

/// Where each row of a batch went: its id, whether this transaction inserted it (false: an
/// earlier row holds its Idempotency-Key), and its stored time.
struct stored_row {
  std::int64_t id = 0;
  bool inserted = false;
  std::string created_at;
};

/// The statement storing a batch of live rows, with its name: `rows` rows of parameters (the id
/// and time are the committer's), of which the unused ones are all NULL and left out. Batches
/// round up to a power of two, so a connection prepares at most a few of these.
struct live_insert {
  static constexpr std::size_t columns = 9;
  /// The largest: PostgreSQL takes at most 65,535 parameters. Larger batches go the keyed way.
  static constexpr std::size_t most_rows = 4096;
  std::size_t rows = 1;
  std::string name, sql;
};

live_insert make_live_insert(std::size_t rows) {
  live_insert out;
  out.rows = rows;
  static const char* const casts[live_insert::columns] = {
    "integer", "varchar", "varchar", "text", "jsonb", "text", "integer", "jsonb", "timestamp"};
  const char* const names = "id, user_id, activity_type, query_text, response_data, "
                            "suggestion_clicked, feedback_rating, metadata, created_at";
  out.name = "insert_live_" + std::to_string(rows);
  out.sql = std::string("INSERT INTO user_activity (") + names + ") SELECT * FROM (VALUES ";
  std::size_t param = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    out.sql += r ? ",(" : "(";
    for (std::size_t c = 0; c < live_insert::columns; ++c, ++param)
      out.sql += (c ? ",$" : "$") + std::to_string(param) + "::" + casts[c];
    out.sql += ")";
  }
  out.sql += std::string(") AS v(") + names + ") WHERE v.id IS NOT NULL";
  return out;
}

/// The statement for a batch of `batch_rows` (at most live_insert::most_rows), made once.
const live_insert& live_insert_for(std::size_t batch_rows) {
  static std::mutex mtx;
  static std::map<std::size_t, live_insert> made;
  std::size_t rows = 1;
  while (rows < batch_rows)
    rows *= 2;
  std::lock_guard<std::mutex> lock(mtx);
  auto i = made.find(rows);
  if (i == made.end())
    i = made.emplace(rows, make_live_insert(rows)).first;
  return i->second;
}

/// The parameters of live_insert `statement` for `batch`: null pointers are NULLs, and the rows
/// past the batch stay NULL and are left out.
struct live_params {
  std::vector<std::string> texts; ///< the ids and ratings, as text
  std::vector<const char*> values;
  live_params(const live_insert& statement, const activity_batch& batch,
              const std::vector<std::int64_t>& ids, const std::string& stored_at)
    : values(statement.rows * live_insert::columns, nullptr) {
    texts.reserve(2 * batch.rows.size()); // no reallocation: `values` points into it
    for (std::size_t i = 0; i < batch.rows.size(); ++i) {
      auto& r = batch.rows[i];
      auto* p = &values[i * live_insert::columns];
      p[0] = texts.emplace_back(std::to_string(ids[i])).c_str();
      p[1] = r.user_id.c_str();
      p[2] = r.activity_type.c_str();
      p[3] = r.has_query_text ? r.query_text.c_str() : nullptr;
      p[4] = r.response_data_json.empty() ? nullptr : r.response_data_json.c_str();
      p[5] = r.has_suggestion_clicked ? r.suggestion_clicked.c_str() : nullptr;
      p[6] = r.feedback_rating > 0 ? texts.emplace_back(std::to_string(r.feedback_rating)).c_str()
                                   : nullptr;
      p[7] = r.metadata_json.empty() ? "{}" : r.metadata_json.c_str();
      p[8] = stored_at.c_str();
    }
  }
};

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

bool rates_a_query(const activity_row& r) {
  return r.activity_type == to_string(activity_type::feedback) && r.rated_activity_id > 0;
}

/// The text of the query `r` rates, from rated_queries' answer (empty: none, or not found).
std::string rated_text_of(const activity_row& r,
                          const std::unordered_map<std::int64_t, std::string>& rated) {
  if (!rates_a_query(r))
    return {};
  auto q = rated.find(r.rated_activity_id);
  return q == rated.end() ? std::string() : q->second;
}

} // namespace

/// A libpq connection opened like the session's, for statements sent without waiting.
struct activity_store::async_connection {
  PGconn* conn = nullptr;
  std::set<std::string> prepared;
  ~async_connection() {
    if (conn)
      PQfinish(conn);
  }
};

activity_store::activity_store(session& db) : db_(db) {}
activity_store::~activity_store() = default;

bool activity_store::is_live_batch(const activity_batch& batch) {
  return !batch.rows.empty() && batch.rows.size() <= live_insert::most_rows &&
         std::all_of(batch.rows.begin(), batch.rows.end(), [](const activity_row& r) {
           return r.idempotency_key.empty() && r.created_at.empty();
         });
}

batch_receipt activity_store::insert_activities(const activity_batch& batch) {
  return translated([&]() -> batch_receipt {
    if (batch.rows.empty())
      return {};
    return is_live_batch(batch) ? insert_live(batch) : insert_keyed(batch);
  });
}

std::vector<std::int64_t> activity_store::draw_ids(std::size_t n) {
  // A block drawn for earlier batches serves while it is fresh: a batch then needs no round trip
  // of its own for its ids. Its ids are only ever used in increasing order, by this one
  // connection's batches, so the learners still see ids in commit order; a stale block is
  // dropped so that rows stored by others meanwhile (drawn later, committed earlier) are not
  // passed by ids older than theirs for long.
  // A block holds twice what the last one served, so an idle server wastes about one id per row
  // and a busy one draws once per few batches.
  constexpr std::int64_t most_ahead = 4096;
  constexpr auto block_life = std::chrono::seconds(1);
  auto now = std::chrono::steady_clock::now();
  if (ids_.next + static_cast<std::int64_t>(n) > static_cast<std::int64_t>(ids_.block.size()) ||
      now - ids_.drawn_at > block_life) {
    auto want = std::max(static_cast<std::int64_t>(n), std::min(most_ahead, 2 * ids_.next));
    pqxx::nontransaction tx{db_.conn()};
    auto drawn = tx.exec_params("SELECT nextval('user_activity_id_seq') FROM generate_series(1, $1)",
                                want);
    // A sequence hands out increasing values, not always consecutive ones (another session may
    // draw meanwhile): keep them all.
    ids_.block.clear();
    for (const auto& row : drawn)
      ids_.block.push_back(row[0].as<std::int64_t>());
    ids_.next = 0;
    ids_.drawn_at = now;
  }
  std::vector<std::int64_t> out(ids_.block.begin() + ids_.next,
                                ids_.block.begin() + ids_.next + static_cast<std::int64_t>(n));
  ids_.next += static_cast<std::int64_t>(n);
  return out;
}

std::unordered_map<std::int64_t, std::string>
activity_store::rated_queries(pqxx::transaction_base& tx, const activity_batch& batch) {
  std::unordered_map<std::int64_t, std::string> out;
  pg_array_builder ids, users;
  bool ask = false;
  for (auto& r : batch.rows) {
    if (!rates_a_query(r))
      continue;
    if (auto text = recent_queries_.find(r.rated_activity_id, r.user_id)) {
      out[r.rated_activity_id] = std::move(*text);
      continue;
    }
    ids.add(r.rated_activity_id);
    users.add(r.user_id);
    ask = true;
  }
  if (!ask)
    return out;
  auto rows = tx.exec_params(
    "SELECT a.id, a.query_text FROM unnest($1::bigint[], $2::text[]) AS r(id, user_id)"
    " JOIN user_activity a ON a.id = r.id AND a.user_id = r.user_id AND a.activity_type = $3"
    " WHERE a.query_text IS NOT NULL",
    ids.take(), users.take(), std::string(to_string(activity_type::query)));
  for (const auto& row : rows)
    out[row[0].as<std::int64_t>()] = row[1].as<std::string>();
  return out;
}

void activity_store::remember_queries(const activity_batch& batch, const batch_receipt& receipt) {
  for (std::size_t i = 0; i < batch.rows.size(); ++i) {
    auto& r = batch.rows[i];
    if (r.activity_type == to_string(activity_type::query) && r.has_query_text &&
        !receipt.items[i].replayed)
      recent_queries_.remember(receipt.items[i].id, r.user_id, r.query_text);
  }
}

void activity_store::prepare_live_inserts(std::size_t batch_rows) {
  batch_rows = std::min(batch_rows, live_insert::most_rows);
  for (std::size_t rows = 1;; rows *= 2) {
    auto& statement = live_insert_for(rows);
    db_.prepare(statement.name.c_str(), statement.sql.c_str());
    async_prepare(statement.name, statement.sql);
    if (rows >= batch_rows)
      break;
  }
}

batch_receipt activity_store::insert_live(const activity_batch& batch) {
  // Round trips are what a commit cycle waits on under load: the ids come from a drawn block,
  // the time from this clock, and the rows go as one prepared INSERT outside a transaction
  // block, which PostgreSQL commits before it answers. So a batch costs one round trip (a COPY
  // costs two: its start, then its end; its rows cost PostgreSQL the same).
  auto plan = plan_live(batch);
  auto& statement = live_insert_for(batch.rows.size());
  db_.prepare(statement.name.c_str(), statement.sql.c_str());
  auto backend = db_.conn().backendpid();
  live_params params(statement, batch, plan.ids, plan.stored_at);
  try {
    pqxx::nontransaction tx{db_.conn()};
    tx.exec_prepared(statement.name, pqxx::prepare::make_dynamic_params(params.values));
  } catch (const pqxx::sql_error&) {
    throw; // the database refused the INSERT: none of it is stored
  } catch (const pqxx::broken_connection&) {
    // The connection broke before the INSERT's answer: settle whether it committed.
    db_.disconnect();
    switch (fate_of_commit(backend, plan.ids)) {
      case commit_fate::committed:
        break;
      case commit_fate::rolled_back:
        throw;
      case commit_fate::unknown:
        throw pqxx::in_doubt_error("the connection was lost while storing activities");
    }
  }
  return live_receipt(batch, plan);
}

activity_store::live_plan activity_store::plan_live(const activity_batch& batch) {
  live_plan plan;
  plan.ids = draw_ids(batch.rows.size());
  {
    pqxx::nontransaction tx{db_.conn()};
    plan.rated = rated_queries(tx, batch);
  }
  auto epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  plan.created_at = format_iso8601_ms(epoch_ms);
  plan.stored_at = plan.created_at.substr(0, plan.created_at.size() - 1);
  return plan;
}

batch_receipt activity_store::live_receipt(const activity_batch& batch, const live_plan& plan) {
  auto& ids = plan.ids;
  batch_receipt receipt;
  receipt.items.reserve(batch.rows.size());
  for (std::size_t i = 0; i < batch.rows.size(); ++i) {
    auto& r = batch.rows[i];
    receipt.items.push_back(logged_activity{ids[i], r.activity_type, false, {}, false});
    if (!is_learnable_activity_type(r.activity_type))
      continue;
    receipt.learned.push_back(
      learned_from(r, ids[i], plan.created_at, rated_text_of(r, plan.rated)));
  }
  remember_queries(batch, receipt);
  return receipt;
}

storage_error activity_store::async_lost(const char* what) {
  std::string why = what + std::string(": ") + (async_ ? PQerrorMessage(async_->conn) : "");
  async_.reset();
  return storage_error(storage_error::kind::unavailable, why);
}

void activity_store::async_prepare(const std::string& name, const std::string& sql) {
  if (!async_ || PQstatus(async_->conn) != CONNECTION_OK) {
    auto settings = db_.settings_sql(); // first: it may throw, and a kept connection is set up
    async_ = std::make_unique<async_connection>();
    async_->conn = PQconnectdb(db_.conninfo().c_str());
    if (PQstatus(async_->conn) != CONNECTION_OK)
      throw async_lost("cannot connect");
    PGresult* r = PQexec(async_->conn, settings.c_str());
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok)
      throw async_lost("cannot set the connection's parameters");
  }
  if (async_->prepared.count(name))
    return;
  PGresult* r = PQprepare(async_->conn, name.c_str(), sql.c_str(), 0, nullptr);
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok)
    throw async_lost("cannot prepare the live insert");
  async_->prepared.insert(name);
}

void activity_store::send_live(const activity_batch& batch) {
  translated([&] {
    sent_.sent = false;
    sent_.plan = plan_live(batch);
    auto& statement = live_insert_for(batch.rows.size());
    async_prepare(statement.name, statement.sql);
    live_params params(statement, batch, sent_.plan.ids, sent_.plan.stored_at);
    sent_.backend = PQbackendPID(async_->conn);
    if (!PQsendQueryPrepared(async_->conn, statement.name.c_str(),
                             static_cast<int>(params.values.size()), params.values.data(), nullptr,
                             nullptr, 0))
      throw async_lost("cannot send the live insert");
    sent_.sent = true;
  });
}

batch_receipt activity_store::finish_live(const activity_batch& batch) {
  if (!sent_.sent || !async_)
    throw storage_error(storage_error::kind::internal, "finish_live without send_live");
  sent_.sent = false;
  bool done = false;
  std::string sqlstate, message;
  while (PGresult* r = PQgetResult(async_->conn)) {
    auto status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK) {
      done = true;
    } else {
      message = PQresultErrorMessage(r);
      if (const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE))
        sqlstate = state;
    }
    PQclear(r);
  }
  if (done && sqlstate.empty())
    return live_receipt(batch, sent_.plan);
  if (!sqlstate.empty() && PQstatus(async_->conn) == CONNECTION_OK)
    // PostgreSQL answered with an error: the statement, and so its commit, did not happen.
    throw storage_error(refused_for_good(sqlstate) ? storage_error::kind::refused
                                                   : storage_error::kind::internal,
                        message, sqlstate);
  // The connection broke before the answer: settle whether it committed.
  async_.reset();
  switch (fate_of_commit(sent_.backend, sent_.plan.ids)) {
    case commit_fate::committed:
      return live_receipt(batch, sent_.plan);
    case commit_fate::rolled_back:
      throw storage_error(storage_error::kind::unavailable,
                          "the connection was lost before the activities were stored");
    case commit_fate::unknown:
      break;
  }
  throw storage_error(storage_error::kind::commit_unknown,
                      "the connection was lost while storing activities");
}

batch_receipt activity_store::insert_keyed(const activity_batch& batch) {
  // Rows stored by this statement draw their ids from the sequence, after the block's: the
  // block's remaining ids would come after them in commit order, so they are given up.
  ids_ = {};
  batch_receipt receipt;
  // One transaction holds the insert and the reads after it, so a connection lost before the
  // commit has stored nothing and may be retried.
  pqxx::work tx{db_.conn()};
  auto rows = insert_rows(tx, batch);
  auto rated = rated_queries(tx, batch); // after the insert: it may rate a query of this batch
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
    } else if (is_learnable_activity_type(r.activity_type)) {
      receipt.learned.push_back(learned_from(r, ack.id, rows[i].created_at, rated_text_of(r, rated)));
    }
    receipt.items.push_back(std::move(ack));
  }
  auto backend = db_.conn().backendpid();
  try {
    tx.commit();
  } catch (const pqxx::in_doubt_error&) {
    // The COMMIT went out and its answer was lost: settle what happened before answering.
    db_.disconnect();
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
  remember_queries(batch, receipt);
  return receipt;
}

activity_store::commit_fate activity_store::fate_of_commit(int backend_pid,
                                               const std::vector<std::int64_t>& ids) {
  try {
    pqxx::nontransaction tx{db_.conn()};
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
    db_.disconnect();
    return commit_fate::unknown;
  }
}

void activity_store::analyze_activities() {
  return translated([&]() -> void {
    pqxx::nontransaction tx{db_.conn()};
    tx.exec("ANALYZE user_activity");
  });
}

namespace {

/// The row codec of the history query's columns.
activity_record read_activity_record(const pqxx::row& r) {
  auto json = [&](int i) { return r[i].is_null() ? std::string("null") : r[i].as<std::string>(); };
  activity_record a;
  a.id = r[0].as<std::int64_t>();
  a.user_id = r[1].as<std::string>();
  a.activity_type = r[2].as<std::string>();
  a.has_query_text = !r[3].is_null();
  a.query_text = a.has_query_text ? r[3].as<std::string>() : "";
  a.response_data_json = json(4);
  a.has_suggestion_clicked = !r[5].is_null();
  a.suggestion_clicked = a.has_suggestion_clicked ? r[5].as<std::string>() : "";
  a.feedback_rating = r[6].is_null() ? 0 : r[6].as<std::int32_t>();
  a.metadata_json = json(7);
  a.created_at = r[8].as<std::string>();
  return a;
}

} // namespace

activity_page activity_store::activity_history(const history_query& q) {
  return translated([&]() -> activity_page {
    pqxx::nontransaction tx{db_.conn()};
    auto rows = tx.exec_params(
      "SELECT id, user_id, activity_type, query_text, response_data::text, suggestion_clicked,"
      " feedback_rating, metadata::text, " FS_ISO("created_at") " FROM user_activity"
      " WHERE user_id = $1 AND ($2 = '' OR activity_type = $2) AND ($3 = 0 OR id < $3)"
      " ORDER BY id DESC LIMIT $4",
      q.user_id, q.activity_type, q.before_id, q.limit);
    activity_page page;
    for (const auto& r : rows) {
      page.activities.push_back(read_activity_record(r));
      page.last_id = page.activities.back().id;
    }
    return page;
  });
}

namespace {

/// `'query', 'suggestion_click', 'feedback'`: the learnable types of the activity type table,
/// which insert_activities asks too (is_learnable_activity_type).
std::string learnable_types_sql() {
  std::string out;
  for (auto& t : activity_types())
    if (t.learnable)
      out += (out.empty() ? "'" : ", '") + std::string(t.name) + "'";
  return out;
}

// The learners' view of an activity: the same fields, and the same rules for optional ones, as
// insert_activities publishes. `where` filters `a`.
std::string learnable_select(const char* where, const char* order) {
  const std::string feedback(to_string(activity_type::feedback));
  const std::string query(to_string(activity_type::query));
  return "SELECT a.id, a.user_id, COALESCE(a.metadata->>'role', ''), a.activity_type,"
         " COALESCE(a.query_text, ''), COALESCE(a.response_data::text, ''),"
         " COALESCE(a.suggestion_clicked, ''), COALESCE(a.feedback_rating, 0),"
         " COALESCE(rated.id, 0), COALESCE(rated.query_text, ''),"
         " CASE WHEN jsonb_typeof(a.metadata->'connection_id') = 'string'"
         "  THEN a.metadata->>'connection_id' ELSE '' END, " FS_ISO("a.created_at")
         " FROM user_activity a"
         " LEFT JOIN user_activity rated ON a.activity_type = '" + feedback + "'"
         "  AND jsonb_typeof(a.metadata->'activity_id') = 'number'"
         "  AND a.metadata->>'activity_id' ~ '^[1-9][0-9]{0,17}$'"
         "  AND rated.id = (a.metadata->>'activity_id')::bigint"
         "  AND rated.user_id = a.user_id AND rated.activity_type = '" + query + "'"
         " WHERE a.activity_type IN (" + learnable_types_sql() + ") AND " +
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

learn_batch activity_store::replay_activities(std::int64_t after_id, int limit) {
  return translated([&]() -> learn_batch {
    pqxx::nontransaction tx{db_.conn()};
    return to_learn_batch(tx.exec_params(learnable_select("a.id > $1", "ASC"), after_id, limit));
  });
}

learn_batch activity_store::recent_activities(const std::string& user_id, int limit) {
  return translated([&]() -> learn_batch {
    pqxx::nontransaction tx{db_.conn()};
    auto batch =
      to_learn_batch(tx.exec_params(learnable_select("a.user_id = $1", "DESC"), user_id, limit));
    std::reverse(batch.items.begin(), batch.items.end());
    return batch;
  });
}

std::int64_t activity_store::drop_old_result_rows(int days, int limit) {
  return translated([&]() -> std::int64_t {
    pqxx::work tx{db_.conn()};
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
  });
}

} // namespace foresight
