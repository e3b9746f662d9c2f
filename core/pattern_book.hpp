// One learner shard's patterns in memory: applies committed activities exactly once (by id) to
// the pattern targets the shard owns, and hands out what changed since the last save. The learner
// actor and `foresightd patterns rebuild` both run this, so they cannot disagree.
//
// Two kinds of save keep a replay exact: all changes with the shard's watermark, or only the
// patterns the store does not have yet, under the watermark it already has. Each row carries the
// last activity its values hold, and a replay skips, per pattern, what that row already holds.
#pragma once
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/generaliser.hpp"
#include "core/model.hpp"
#include "core/patterns.hpp"

namespace foresight {

class pattern_book {
public:
  /// Starts from a stored state (patterns, watermark and generation of `state.shard`).
  explicit pattern_book(const pattern_shard_state& state);

  /// Uses `c` to recognise metrics, dimensions and entities of its connection from now on.
  void set_catalog(const connection_catalog& c);

  /// Applies one committed activity to the patterns of this shard's targets; does nothing for
  /// ids at or below the watermark, nor to a pattern whose loaded values already hold it.
  /// Whether it touched one of this shard's targets (user, role or everyone's).
  bool apply(const learned_activity& a);

  /// The changed patterns (with only their not yet saved users) and the watermark; clears them.
  pattern_shard_state take_changes();

  /// Only the patterns the store does not have yet, under the watermark it has; clears them.
  pattern_shard_state take_new_patterns();

  /// Puts back what a failed save took (saved at the next save of either kind).
  void restore_changes(const pattern_shard_state& failed);

  /// True if there is anything to save.
  bool has_changes() const { return !dirty_.empty() || watermark_ != saved_watermark_; }

  /// True if some pattern is not in the store yet.
  bool has_new_patterns() const { return !unstored_.empty(); }

  /// Records that a save of `watermark` committed.
  void mark_saved(std::int64_t watermark) { saved_watermark_ = watermark; }

  std::int64_t watermark() const { return watermark_; }
  const std::unordered_map<pattern_key, pattern_stats, pattern_key_hash>& patterns() const {
    return patterns_;
  }

private:
  using pattern_map = std::unordered_map<pattern_key, pattern_stats, pattern_key_hash>;
  /// Entries of patterns_ (never erased, so their addresses stay put): hashing a pointer instead
  /// of a key's three strings for every activity.
  using key_set = std::unordered_set<pattern_map::value_type*>;

  const catalog_index& catalog_for(const std::string& connection_id) const;
  /// The rows of `keys`, with their unsaved users, under `watermark`; no longer dirty.
  pattern_shard_state take(const key_set& keys, std::int64_t watermark);

  int shard_;
  std::int32_t generation_;
  std::int64_t watermark_;
  std::int64_t saved_watermark_;
  // Hash maps: every activity looks up to three keys, each three strings long, in thousands.
  pattern_map patterns_;
  std::unordered_map<pattern_map::value_type*, std::set<std::string>> unsaved_users_;
  key_set dirty_;
  key_set unstored_; ///< created since the last save (or back from a failed one)
  std::map<std::string, catalog_index> catalogs_;
  catalog_index no_catalog_;
};

} // namespace foresight
