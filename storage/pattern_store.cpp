// pattern_store: query_patterns, query_pattern_users and pattern_learner_state.
#include "storage/pattern_store.hpp"

#include "core/json_writer.hpp"
#include "core/log.hpp"
#include "core/suggestions.hpp"
#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

namespace {

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

} // namespace

pattern_shard_state pattern_store::load_pattern_shard(int shard) {
  return translated([&]() -> pattern_shard_state {
    pqxx::work tx{db_.conn()};
    pattern_shard_state state;
    state.shard = shard;
    // Loading claims the shard: a new generation refuses the saves of any earlier instance (a
    // crashed one's late save, another node's that hosted the learners before).
    auto w = tx.exec_params(
      "INSERT INTO pattern_learner_state (shard, last_activity_id, generation) VALUES ($1, 0, 1)"
      " ON CONFLICT (shard) DO UPDATE SET generation = pattern_learner_state.generation + 1"
      " RETURNING last_activity_id, generation", shard);
    if (!w.empty()) {
      state.watermark = w[0][0].as<std::int64_t>();
      state.generation = w[0][1].as<int>();
    }
    auto rows = tx.exec(
      "SELECT p.pattern_type, p.target_id, p.query_template, p.frequency,"
      " " FS_ISO("p.last_used") ", p.metadata::text,"
      " COALESCE((SELECT string_agg(u.user_id, ',' ORDER BY u.user_id) FROM query_pattern_users u"
      "  WHERE u.pattern_id = p.id), ''), p.learned_through"
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
      row.learned_through = r[7].as<std::int64_t>();
      state.rows.push_back(std::move(row));
    }
    tx.commit();
    return state;
  });
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
      .key("through").value(r.learned_through)
      .end_object();
  }
  w.end_array();
  tx.exec_params(
    "WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(type text, target text,"
    "  tmpl text, frequency int, success_rate float8, avg float8, last_used timestamp,"
    "  metadata jsonb, users jsonb, through bigint)),"
    " saved AS (INSERT INTO query_patterns (pattern_type, target_id, query_template, frequency,"
    "  success_rate, avg_response_time, last_used, metadata, learned_through)"
    "  SELECT type, target, tmpl, frequency, success_rate,"
    "   CASE WHEN avg < 0 THEN NULL ELSE avg END, last_used, metadata, through FROM input"
    "  ON CONFLICT (pattern_type, target_id, md5(query_template)) DO UPDATE SET"
    "  frequency = EXCLUDED.frequency, success_rate = EXCLUDED.success_rate,"
    "  avg_response_time = EXCLUDED.avg_response_time, last_used = EXCLUDED.last_used,"
    "  metadata = EXCLUDED.metadata, learned_through = EXCLUDED.learned_through,"
    "  updated_at = CURRENT_TIMESTAMP"
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

const char* const stored_pattern_columns =
  "id, pattern_type, COALESCE(target_id, ''), query_template, COALESCE(frequency, 0),"
  " success_rate, avg_response_time, " FS_ISO("last_used") ", COALESCE(metadata::text, 'null'),"
  " " FS_ISO("created_at") ", " FS_ISO("updated_at");

/// The row codec of stored_pattern_columns.
stored_pattern read_stored_pattern(const pqxx::row& r) {
  auto time = [&](int i) { return r[i].is_null() ? std::string() : r[i].as<std::string>(); };
  auto rate = [&](int i) { return r[i].is_null() ? -1.0 : r[i].as<double>(); };
  stored_pattern p;
  p.id = r[0].as<std::int64_t>();
  p.pattern_type = r[1].as<std::string>();
  p.target_id = r[2].as<std::string>();
  p.query_template = r[3].as<std::string>();
  p.frequency = r[4].as<std::int64_t>();
  p.success_rate = rate(5);
  p.avg_response_time = rate(6);
  p.last_used = time(7);
  p.metadata_json = r[8].as<std::string>();
  p.created_at = time(9);
  p.updated_at = time(10);
  return p;
}

} // namespace

std::int64_t pattern_store::save_pattern_shard(const pattern_shard_state& state) {
  return translated([&]() -> std::int64_t {
    pqxx::work tx{db_.conn()};
    // The row lock orders this save against a concurrent rebuild; a learner from before the
    // rebuild must not write its old counts into the fresh tables.
    auto gen = tx.exec_params(
      "SELECT generation FROM pattern_learner_state WHERE shard = $1 FOR UPDATE", state.shard);
    if (!gen.empty() && gen[0][0].as<int>() != state.generation)
      throw storage_error(storage_error::kind::conflict, "patterns were rebuilt meanwhile");
    std::int64_t set_aside = 0;
    if (!state.rows.empty()) {
      try {
        in_savepoint(tx, [&] { upsert_patterns(tx, state.rows.data(), state.rows.size()); });
      } catch (const pqxx::sql_error& e) {
        if (!refused_for_good(e.sqlstate()))
          throw;
        // One row the database refuses must not block its shard for good: each is saved on its
        // own, and a refused one is set aside (its counts stay in memory only).
        for (auto& r : state.rows) {
          try {
            in_savepoint(tx, [&] { upsert_patterns(tx, &r, 1); });
          } catch (const pqxx::sql_error& e) {
            if (!refused_for_good(e.sqlstate()))
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
  });
}

/// Empties the pattern tables and sets every shard's watermark to replay `days` of activity
/// (0: all), under a new generation, so a save from a learner that predates it is refused.
void pattern_store::reset_patterns_in(pqxx::transaction_base& tx, int days) {
  tx.exec("SELECT 1 FROM pattern_learner_state ORDER BY shard FOR UPDATE"); // waits for saves
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

void pattern_store::reset_patterns(int days) {
  return translated([&]() -> void {
    pqxx::work tx{db_.conn()};
    reset_patterns_in(tx, days);
    tx.commit();
  });
}

patterns_view pattern_store::read_patterns(const patterns_query& q) {
  return translated([&]() -> patterns_view {
    pqxx::read_transaction tx{db_.conn()};
    // Most used first, then most successful, then most recent.
    const std::string select =
      "SELECT " + std::string(stored_pattern_columns) +
      " FROM query_patterns WHERE pattern_type = $1 AND target_id = $2"
      " AND COALESCE((metadata->>'distinct_users')::int, 0) >= $3"
      " ORDER BY frequency DESC, success_rate DESC, last_used DESC, id LIMIT $4";
    const std::string count =
      "SELECT count(*) FROM query_patterns WHERE pattern_type = $1 AND target_id = $2"
      " AND COALESCE((metadata->>'distinct_users')::int, 0) >= $3";
    patterns_view v;
    int limit = q.all ? 1000000 : q.limit;
    for (const auto& r : tx.exec_params(select, std::string(user_specific), q.user_id, 0, limit))
      v.user_patterns.push_back(read_stored_pattern(r));
    v.user_pattern_count =
      tx.exec_params(count, std::string(user_specific), q.user_id, 0)[0][0].as<std::int64_t>();
    if (!q.role.empty()) {
      for (const auto& r :
           tx.exec_params(select, std::string(role_based), q.role, q.min_users, limit))
        v.role_patterns.push_back(read_stored_pattern(r));
      v.role_pattern_count = tx.exec_params(count, std::string(role_based), q.role, q.min_users)[0][0]
                               .as<std::int64_t>();
    }
    return v;
  });
}

pattern_hints pattern_store::read_pattern_hints(const std::string& user_id, const std::string& role,
                                           int min_users, int limit, bool shared_scopes) {
  return translated([&]() -> pattern_hints {
    db_.prepare(pattern_hints_statement, pattern_hints_sql);
    pqxx::nontransaction tx{db_.conn()};
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
  });
}

} // namespace foresight
