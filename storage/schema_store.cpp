// schema_store: migrations and readiness.
#include "storage/schema_store.hpp"

#include "storage/migrations.hpp"
#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

int schema_store::migrate() {
  return translated([&]() -> int {
    std::string error;
    auto plan = plan_migrations(embedded_migrations(), error);
    if (!error.empty())
      throw std::runtime_error(error);
    return apply_migrations(db_.conn(), plan);
  });
}

readiness_report schema_store::readiness() {
  return translated([&]() -> readiness_report {
    readiness_report report;
    pqxx::nontransaction tx{db_.conn()};
    report.database_reachable = true;
    auto rows = tx.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    report.schema_version = rows[0][0].as<int>();
    report.migrations_applied = report.schema_version >= latest_migration_version();
    if (!report.migrations_applied)
      report.detail = "schema at version " + std::to_string(report.schema_version) + ", binary expects " +
                      std::to_string(latest_migration_version());
    return report;
  });
}

} // namespace foresight
