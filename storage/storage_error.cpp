// The translation from libpqxx's exception types and SQLSTATEs into storage_error's kinds.
#include "storage/storage_error.hpp"

#include <pqxx/pqxx>

namespace foresight {

storage_error::storage_error(kind k, const std::string& message, std::string state)
    : std::runtime_error(message), failure(k), sqlstate(std::move(state)) {}

bool refused_for_good(const std::string& sqlstate) {
  auto cls = sqlstate.substr(0, 2);
  return cls == "22" || cls == "23" || cls == "54";
}

void rethrow_as_storage_error() {
  using k = storage_error::kind;
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    throw storage_error(k::commit_unknown, e.what());
  } catch (const pqxx::broken_connection& e) {
    throw storage_error(k::unavailable, e.what());
  } catch (const pqxx::sql_error& e) {
    throw storage_error(refused_for_good(e.sqlstate()) ? k::refused : k::internal, e.what(),
                        e.sqlstate());
  } catch (const pqxx::pqxx_exception& e) {
    throw storage_error(k::internal, e.base().what());
  }
}

} // namespace foresight
