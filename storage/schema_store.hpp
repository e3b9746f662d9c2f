// The schema: applying the embedded migrations, and whether the database is ready.
#pragma once
#include "core/model.hpp"
#include "storage/session.hpp"

namespace foresight {

class schema_store {
public:
  explicit schema_store(session& db) : db_(db) {}

  /// Applies pending migrations; returns how many ran.
  int migrate();
  readiness_report readiness();

private:
  session& db_;
};

} // namespace foresight
