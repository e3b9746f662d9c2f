// audit_store: reading the audit trail.
#include "storage/audit_store.hpp"

#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

activity_page audit_store::audit_log(const history_query& q) {
  return translated([&]() -> activity_page {
    pqxx::nontransaction tx{db_.conn()};
    auto rows = tx.exec_params(
      "SELECT id, " FS_ISO("created_at") ", actor, action, target, detail::text FROM audit_log"
      " WHERE ($1 = 0 OR id < $1) ORDER BY id DESC LIMIT $2",
      q.before_id, q.limit);
    activity_page page;
    for (const auto& r : rows) {
      page.audit_entries.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(),
                                    r[2].as<std::string>(), r[3].as<std::string>(),
                                    r[4].as<std::string>(), r[5].as<std::string>()});
      page.last_id = page.audit_entries.back().id;
    }
    return page;
  });
}

} // namespace foresight
