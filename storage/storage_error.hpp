// What a store throws when the database fails it. libpqxx's exceptions stop in storage/: callers
// tell failures apart by kind, and need no driver headers to do so.
#pragma once
#include <stdexcept>
#include <string>

namespace foresight {

struct storage_error : std::runtime_error {
  enum class kind {
    unavailable,    ///< the connection broke before any commit: nothing applied, safe to retry
    commit_unknown, ///< the COMMIT's answer was lost: it may or may not have happened
    conflict,       ///< a row collides with an existing one, or a rebuild happened meanwhile
    not_found,      ///< the row the operation is about does not exist
    refused,        ///< PostgreSQL refused the data itself (SQLSTATE 22, 23, 54): it fails again
    internal,       ///< anything else
  };

  storage_error(kind k, const std::string& message, std::string sqlstate = {});

  kind failure;
  std::string sqlstate; ///< PostgreSQL's SQLSTATE when it answered one, else empty
};

/// Whether an SQLSTATE refuses the data itself (class 22 data exception, 23 integrity
/// constraint, 54 program limit): the same rows fail again, others need not.
bool refused_for_good(const std::string& sqlstate);

/// Rethrows the exception being handled, a libpqxx one translated into storage_error; any other
/// passes unchanged. Call it from a catch block only.
[[noreturn]] void rethrow_as_storage_error();

/// Runs `op`; libpqxx's exceptions leave it as storage_error.
template <class F>
auto translated(F&& op) -> decltype(op()) {
  try {
    return op();
  } catch (const storage_error&) {
    throw;
  } catch (...) {
    rethrow_as_storage_error();
  }
}

} // namespace foresight
