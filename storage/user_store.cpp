// user_store: the users table; the row codec reads user_columns.
#include "storage/user_store.hpp"

#include "storage/pattern_store.hpp"
#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

namespace {

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


} // namespace

bool user_store::find_user(const std::string& id, user_profile& out) {
  return translated([&]() -> bool {
    pqxx::nontransaction tx{db_.conn()};
    auto rows = tx.exec_params(std::string("SELECT ") + user_columns + " FROM users WHERE id = $1", id);
    if (rows.empty())
      return false;
    out = read_user(rows[0]);
    return true;
  });
}

bool user_store::find_login(const std::string& username, user_profile& out,
                          std::string& password_hash) {
  return translated([&]() -> bool {
    pqxx::nontransaction tx{db_.conn()};
    auto rows = tx.exec_params(std::string("SELECT ") + user_columns +
                                 ", password_hash FROM users WHERE username = $1",
                               username);
    if (rows.empty())
      return false;
    out = read_user(rows[0]);
    password_hash = rows[0][7].as<std::string>();
    return true;
  });
}

user_profile user_store::insert_user(const new_user& u, const std::string& password_hash,
                                   const std::string& actor) {
  return translated([&]() -> user_profile {
    pqxx::work tx{db_.conn()};
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
      throw storage_error(storage_error::kind::conflict, "a user with id '" + u.id + "' or username '" + u.username +
                            "' exists already");
    }
  });
}

std::int64_t user_store::set_password(const std::string& user_id, const std::string& password_hash,
                                   const std::string& actor) {
  return translated([&]() -> std::int64_t {
    pqxx::work tx{db_.conn()};
    auto rows = tx.exec_params(
      "UPDATE users SET password_hash = $2, password_changed_at = CURRENT_TIMESTAMP WHERE id = $1"
      " RETURNING floor(EXTRACT(EPOCH FROM password_changed_at))::bigint",
      user_id, password_hash);
    if (rows.empty())
      return -1;
    audit(tx, actor, actor == user_id ? "password_changed" : "password_reset", user_id);
    tx.commit();
    return rows[0][0].as<std::int64_t>();
  });
}

std::vector<std::pair<std::string, std::int64_t>> user_store::password_changes() {
  return translated([&]() -> std::vector<std::pair<std::string, std::int64_t>> {
    pqxx::nontransaction tx{db_.conn()};
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& r : tx.exec("SELECT id, floor(EXTRACT(EPOCH FROM password_changed_at))::bigint"
                                 " FROM users WHERE password_changed_at IS NOT NULL"))
      out.emplace_back(r[0].as<std::string>(), r[1].as<std::int64_t>());
    return out;
  });
}

erase_report user_store::erase_user(const std::string& actor, const std::string& user_id,
                                  bool delete_account, int rebuild_days) {
  return translated([&]() -> erase_report {
    pqxx::work tx{db_.conn()};
    erase_report r;
    r.user_id = user_id;
    // The learners' state rows first, as a learner's save takes them first: taken after the
    // user's rows, a save holding its state row and waiting for one of them deadlocked with us.
    tx.exec("SELECT 1 FROM pattern_learner_state ORDER BY shard FOR UPDATE");
    if (tx.exec_params("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", user_id).empty())
      throw storage_error(storage_error::kind::not_found, "no user '" + user_id + "'");
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
    pattern_store::reset_patterns_in(tx, rebuild_days);
    tx.commit();
    return r;
  });
}

} // namespace foresight
