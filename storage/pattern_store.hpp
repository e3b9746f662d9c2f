// The learned query patterns: the learner shards' state, the patterns route and the hints a
// suggestion builds on.
#pragma once
#include <cstdint>
#include <string>

#include "core/model.hpp"
#include "core/patterns.hpp"
#include "storage/session.hpp"

namespace pqxx {
class transaction_base;
}

namespace foresight {

class pattern_store {
public:
  explicit pattern_store(session& db) : db_(db) {}

  /// The patterns and watermark of one learner shard.
  pattern_shard_state load_pattern_shard(int shard);
  /// Saves a learner shard's changed patterns (absolute values) and its watermark in one
  /// transaction; a pattern the database refuses for its data is logged and set aside rather
  /// than failing the save. Returns how many were. Throws storage_error (conflict) when a
  /// rebuild happened since the shard loaded.
  std::int64_t save_pattern_shard(const pattern_shard_state& state);
  /// Deletes every pattern and sets each shard's watermark to just before the activities of the
  /// last `days` days (0: all history), so that replaying rebuilds the tables.
  void reset_patterns(int days);
  /// reset_patterns inside another transaction (erasing a user).
  static void reset_patterns_in(pqxx::transaction_base& tx, int days);
  /// Patterns for the patterns route: the user's own and the role's shared ones.
  patterns_view read_patterns(const patterns_query& q);
  /// The best `limit` patterns of each scope a suggestion for this user may build on (role and
  /// global ones only with at least `min_users` distinct users). Without `shared_scopes`, only
  /// the user's own: the role's and global ones are the same for every user of the role, so the
  /// caller keeps them apart and reads them less often.
  pattern_hints read_pattern_hints(const std::string& user_id, const std::string& role,
                                   int min_users, int limit, bool shared_scopes);

private:
  session& db_;
};

} // namespace foresight
