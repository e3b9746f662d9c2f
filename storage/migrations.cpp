// Migration planning (pure) and the runner (libpqxx).
#include "storage/migrations.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

namespace foresight {

namespace {
// Any constant unique to foresight: serialises concurrent migration runs across processes.
constexpr long long migration_lock_key = 0x466f726573696768; // "Foresigh"
} // namespace

bool parse_migration_file_name(std::string_view file_name, int& version, std::string& name) {
  constexpr std::string_view suffix = ".sql";
  if (file_name.size() <= 4 + suffix.size() ||
      file_name.substr(file_name.size() - suffix.size()) != suffix)
    return false;
  if (file_name.size() < 5 || file_name[3] != '_')
    return false;
  int v = 0;
  for (int i = 0; i < 3; ++i) {
    char c = file_name[i];
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  auto stem = file_name.substr(4, file_name.size() - 4 - suffix.size());
  if (v == 0 || stem.empty())
    return false;
  for (char c : stem)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  version = v;
  name.assign(stem.data(), stem.size());
  return true;
}

std::vector<migration> plan_migrations(const std::vector<migration_source>& sources,
                                       std::string& error) {
  std::vector<migration> plan;
  std::set<int> seen;
  for (auto& src : sources) {
    migration m;
    if (!parse_migration_file_name(src.file_name, m.version, m.name)) {
      error = std::string("bad migration file name: ") + src.file_name +
              " (expected NNN_lower_snake_name.sql)";
      return {};
    }
    if (!seen.insert(m.version).second) {
      error = "two migrations share version " + std::to_string(m.version);
      return {};
    }
    m.sql = src.sql;
    plan.push_back(std::move(m));
  }
  std::sort(plan.begin(), plan.end(),
            [](const migration& a, const migration& b) { return a.version < b.version; });
  return plan;
}

int apply_migrations(pqxx::connection_base& conn, const std::vector<migration>& plan) {
  {
    pqxx::work tx{conn};
    tx.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
    tx.commit();
  }
  int applied = 0;
  for (auto& m : plan) {
    pqxx::work tx{conn};
    // Held until commit: a second process waits here, then sees the version and skips it.
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", migration_lock_key);
    auto done = tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.version);
    if (!done.empty())
      continue;
    tx.exec(m.sql);
    tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                   m.name);
    tx.commit();
    ++applied;
  }
  return applied;
}

int latest_migration_version() {
  std::string error;
  auto plan = plan_migrations(embedded_migrations(), error);
  return plan.empty() ? 0 : plan.back().version;
}

} // namespace foresight
