// cache_entry_store: the suggestion lists one cache shard holds in memory, keyed by context hash,
// with their expiry and the bound on how many are held. Pure: time is the caller's `now` (Unix
// epoch milliseconds), and nothing here sends, logs or counts metrics.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/model.hpp"

namespace foresight {

/// One cached suggestion list.
struct cache_entry {
  suggestion_list list; ///< source: how it was generated
  std::string user_id;
  std::int64_t expires_ms = 0; ///< live while `now < expires_ms`
  /// The list with the session's ranking before it, for the ranking `merged_for`: while the
  /// user's ranking holds, a hit answers it as it is (rendered once).
  suggestion_list merged;
  std::uint64_t merged_for = 0;
};

/// Entries by key, at most `max_entries` of them. Entries share one TTL, so insertion order is
/// expiry order: when the store is full, inserting a new key evicts the entry inserted first (one
/// per insertion, no pause to sort the whole store). Replacing a key never evicts.
class cache_entry_store {
public:
  explicit cache_entry_store(std::size_t max_entries);

  /// The entry under `key` if it is live at `now`, else nullptr; an expired one found here is
  /// removed (an entry expires at exactly its `expires_ms`).
  cache_entry* find_live(const std::string& key, std::int64_t now);

  /// The entry under `key`, live or not, else nullptr.
  cache_entry* find(const std::string& key);

  /// Inserts `e` under `key`, replacing what was there; evicts first when a new key would
  /// exceed the bound.
  void put(const std::string& key, cache_entry e);

  /// Removes every entry of `user_id`; answers how many went.
  std::size_t erase_user(const std::string& user_id);

  std::size_t size() const { return entries_.size(); }
  std::size_t max_entries() const { return max_; }

private:
  std::size_t max_;
  std::unordered_map<std::string, cache_entry> entries_;
  /// (key, expiry) in insertion order; places of replaced or removed entries are stale and
  /// skipped (their expiry no longer matches), and rebuilt away before they pile up.
  std::deque<std::pair<std::string, std::int64_t>> order_;
};

} // namespace foresight
