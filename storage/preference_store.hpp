// The users' suggestion preferences.
#pragma once
#include <string>

#include "core/model.hpp"
#include "storage/session.hpp"

namespace foresight {

class preference_store {
public:
  explicit preference_store(session& db) : db_(db) {}

  /// The user's preferences; the default row is created on first read.
  suggestion_preferences load_preferences(const std::string& user_id);
  /// Stores changed preferences: the version grows by one and updated_at is now.
  suggestion_preferences save_preferences(const suggestion_preferences& p);

private:
  session& db_;
};

} // namespace foresight
