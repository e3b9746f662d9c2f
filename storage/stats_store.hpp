// The monitoring figures of `GET /api/v1/activity/stats`, read across the tables.
#pragma once
#include "core/model.hpp"
#include "storage/session.hpp"

namespace foresight {

class stats_store {
public:
  explicit stats_store(session& db) : db_(db) {}

  usage_stats read_usage_stats(int min_users);

private:
  session& db_;
};

} // namespace foresight
