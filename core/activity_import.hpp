// Importing activity history: an NDJSON body (one activity per line, each with its user and its
// original time) becomes validated rows, in time order, stored in chunks. Pure: the server's
// importer actor and `foresightd import` drive the same `import_run`, each with its own way of
// looking users up and storing a chunk.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "core/model.hpp"
#include "core/payloads.hpp"

namespace foresight {

/// The most per-line errors a report lists (the counts cover all of them).
constexpr std::size_t max_import_errors = 1000;

/// Why one line was not stored. `code`: `malformed` (not a JSON object), `invalid` (a field
/// breaks a rule; `field` names it), `unknown_user` (field user_id) or `not_stored` (the
/// database refused the chunk even after retries).
struct import_line_error {
  std::int64_t line = 0; ///< 1-based, as in the file
  std::string code;
  std::string message;
  std::string field;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, import_line_error& x) {
  return f(x.line, x.code, x.message, x.field);
}

/// What an import did. imported + duplicates + rejected = lines.
struct import_report {
  std::int64_t imported = 0;   ///< rows stored now
  std::int64_t duplicates = 0; ///< rows whose key was stored already (an earlier import)
  std::int64_t rejected = 0;   ///< lines refused, each with an error
  std::int64_t lines = 0;      ///< non-empty lines read
  std::vector<import_line_error> errors; ///< by line number, at most max_import_errors

  /// Counts a refused line and remembers why.
  void reject(std::int64_t line, std::string code, std::string message, std::string field = {});
  /// Orders the errors by line and keeps the first max_import_errors.
  void finish();
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, import_report& x) {
  return f(x.imported, x.duplicates, x.rejected, x.lines, x.errors);
}

/// `{"imported":N,"duplicates":D,"rejected":R,"lines":L,"errors":[{"line":12,"error":{...}}]}`
std::string import_report_json(const import_report& r);

/// A line that passed validation.
struct import_line {
  std::int64_t line = 0;  ///< 1-based
  std::int64_t at_ms = 0; ///< created_at, for ordering
  activity_row row;       ///< user_id, fields, created_at and idempotency_key set
  import_line_extras extras;
};

/// The idempotency key an imported row is stored under, always prefixed `import:` (an
/// Idempotency-Key header may not start with it, so the two never clash): `import:<key>`, else
/// `import:id:<id>` (`import:id#<sha256>` for an id too long or not visible ASCII), else
/// `import:h:<sha256 of user, type, created_at, text, clicked, rating>`.
std::string import_key(const activity_row& row, const import_line_extras& extras);

/// Splits `body` into lines (LF or CRLF; blank lines skipped), validates each with the rules of
/// /log (parse_import_line) and gives it its key. Bad lines go to `report`. The valid ones come
/// back sorted by created_at; lines of the same instant keep their order in the file.
std::vector<import_line> parse_import(std::string_view body, std::size_t max_text_bytes,
                                      import_report& report);

/// Drives one import: users, then chunks in time order, then the report.
class import_run {
public:
  using find_user_fn = std::function<bool(const std::string& id, user_profile& out)>;

  import_run(std::vector<import_line> lines, import_report report);

  /// Looks every distinct user up once: lines of unknown users are rejected; the others get
  /// their role (metadata.role if the line gave one, else the user's current role) and the
  /// metadata enrichment of /log (role, department, goals). Also decides which query each
  /// feedback rates: the line its metadata.activity_id names (by `id`, same user), or else the
  /// user's latest query before it, as /log does.
  void resolve_users(const find_user_fn& find);

  /// True once every line has been handed out in a chunk (and that chunk answered).
  bool finished() const { return next_ >= lines_.size() && chunk_.empty(); }

  /// The next rows to store, at most `max_rows`, in time order. A chunk ends before a feedback
  /// whose rated query is in the chunk itself (its id is known only once that commits). Call
  /// stored() or failed() before asking for the next chunk.
  activity_batch next_chunk(std::size_t max_rows);
  /// The receipts of the last chunk, one per row in order.
  void stored(const std::vector<logged_activity>& receipts);
  /// The last chunk could not be stored: its lines are rejected with `not_stored`.
  void failed(const api_error& err);

  /// The report, once finished() (errors ordered and capped).
  import_report take_report();

private:
  std::vector<import_line> lines_;
  std::vector<std::int64_t> rates_;  ///< per line: index of the line a feedback rates, or -1
  std::vector<std::int64_t> ids_;    ///< per line: the stored id once known, 0 before
  std::vector<bool> skip_;           ///< per line: rejected before storing
  std::size_t next_ = 0;             ///< first line not yet handed out
  std::vector<std::size_t> chunk_;   ///< the lines of the chunk in flight
  import_report report_;
};

} // namespace foresight
