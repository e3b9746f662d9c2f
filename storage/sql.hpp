// What the stores' SQL has in common; included by the stores' .cpp files only (it brings
// libpqxx with it).
#pragma once
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace foresight {

// Timestamps are stored as UTC TIMESTAMP (sessions run with TimeZone = UTC) and sent as ISO 8601.
#define FS_ISO(col) "to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/// A JSON array of strings, for a jsonb parameter.
std::string json_list(const std::vector<std::string>& items);

/// One audit_log row in `tx`; `detail_sql` builds its JSON from parameters $4 on (`args`).
template <class... Args>
void audit(pqxx::transaction_base& tx, const std::string& actor, const char* action,
           const std::string& target, const char* detail_sql = "'{}'::json",
           const Args&... args) {
  tx.exec_params(std::string("INSERT INTO audit_log (actor, action, target, detail)"
                             " VALUES ($1, $2, $3, ") +
                   detail_sql + ")",
                 actor, action, target, args...);
}

} // namespace foresight
