// The users' daily LLM usage, which the gateway's budgets restart from.
#pragma once
#include <vector>

#include "core/model.hpp"
#include "storage/session.hpp"

namespace foresight {

class llm_usage_store {
public:
  explicit llm_usage_store(session& db) : db_(db) {}

  /// Today's (UTC) LLM usage of every user, to restore the daily budgets at start.
  std::vector<llm_usage_row> load_llm_usage_today();
  /// Adds one user's calls and tokens to today's row.
  void record_llm_usage(const std::vector<llm_usage_row>& rows);

private:
  session& db_;
};

} // namespace foresight
