// The audit trail: read here; each store that audits a change writes its entry in the change's
// own transaction (storage/sql.hpp).
#pragma once
#include "core/model.hpp"
#include "storage/session.hpp"

namespace foresight {

class audit_store {
public:
  explicit audit_store(session& db) : db_(db) {}

  /// The audit trail, newest first: `limit` entries before id `before_id` (0: from the newest);
  /// `user_id` and `activity_type` of the query are not used.
  activity_page audit_log(const history_query& q);

private:
  session& db_;
};

} // namespace foresight
