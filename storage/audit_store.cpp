// audit_store: reading the audit trail.
#include "storage/audit_store.hpp"

#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

activity_page audit_store::audit_log(const history_query& q) {
  return translated([&]() -> activity_page {
    pqxx::read_transaction tx{db_.conn()};
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
  });
}

} // namespace foresight
