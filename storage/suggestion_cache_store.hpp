// The suggestion cache's table (the write-behind's target, read back to warm the cache at start)
// and the impressions written with it.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model.hpp"
#include "storage/session.hpp"

namespace foresight {

class suggestion_cache_store {
public:
  explicit suggestion_cache_store(session& db) : db_(db) {}

  /// Every unexpired cache entry, to warm the cache at start.
  std::vector<cached_suggestions> load_suggestion_cache(int limit);
  /// Applies a write-behind batch in one transaction, after deleting up to 1000 expired entries.
  void write_suggestion_cache(const cache_writes& w);
  /// Deletes expired cache entries, then the pattern lists no unexpired entry names; returns how
  /// many entries.
  std::int64_t purge_expired_suggestions();

private:
  /// A pair of pattern lists as this connection last stored it in suggestion_pattern_lists.
  struct stored_pattern_lists {
    std::string hash;           ///< MD5 of the pair, its key in the table
    std::int64_t stored_ms = 0; ///< when this connection last committed it (0: not yet)
  };

  session& db_;
  /// By the pair's JSON: what the write-behind need not send again (for a while), as of the
  /// session's connection `known_generation_`.
  std::unordered_map<std::string, stored_pattern_lists> pattern_lists_;
  std::uint64_t known_generation_ = 0;
};

} // namespace foresight
