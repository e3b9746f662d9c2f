// preference_store: user_suggestion_preferences.
#include "storage/preference_store.hpp"

#include "core/payloads.hpp"
#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

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

} // namespace

suggestion_preferences preference_store::load_preferences(const std::string& user_id) {
  return translated([&]() -> suggestion_preferences {
    pqxx::work tx{db_.conn()};
    tx.exec_params("INSERT INTO user_suggestion_preferences (user_id) VALUES ($1)"
                   " ON CONFLICT (user_id) DO NOTHING",
                   user_id);
    auto rows = tx.exec_params(std::string("SELECT ") + preference_columns +
                                 " FROM user_suggestion_preferences WHERE user_id = $1",
                               user_id);
    tx.commit();
    return read_preferences(rows.at(0));
  });
}

suggestion_preferences preference_store::save_preferences(const suggestion_preferences& p) {
  return translated([&]() -> suggestion_preferences {
    pqxx::work tx{db_.conn()};
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
  });
}

} // namespace foresight
