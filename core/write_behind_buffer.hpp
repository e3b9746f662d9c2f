// write_behind_buffer: what one cache shard has yet to write to `suggestion_cache` (new entries,
// invalidated users, hit counts, impressions), and when it writes: one batch in flight at a time,
// hit counts and impressions once per counting period, and a bound on the inserts that wait while
// a batch is under way. Pure: time is the caller's `now` (milliseconds); the caller sends.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model.hpp"

namespace foresight {

class write_behind_buffer {
public:
  /// Inserts kept waiting while a batch is under way; past it the oldest are dropped.
  static constexpr std::size_t default_max_waiting_inserts = 5000;

  explicit write_behind_buffer(std::size_t max_waiting_inserts = default_max_waiting_inserts)
    : max_waiting_inserts_(max_waiting_inserts) {}

  /// A new entry to write.
  void insert(cached_suggestions row) { writes_.inserts.push_back(std::move(row)); }

  /// One more hit on the entry `key`.
  void count_hit(const std::string& key) { hits_[key] += 1; }

  /// A list of `suggestions` served to `user_id` for `connection_id` from `source` under the
  /// ranking strategy `arm`: added to that user's impression with the same connection, source
  /// and arm.
  void served(const std::string& user_id, const std::string& connection_id,
              const std::string& source, const std::string& arm, std::int64_t suggestions);

  /// The user's entries are invalid: their waiting inserts go (they were generated before the
  /// change), and the batch deletes the user's rows first.
  void invalidate_user(const std::string& user_id);

  /// An erased user: invalidated, and no impression of theirs is written either.
  void forget_user(const std::string& user_id);

  /// On the shard's timer: the batch to send now, if any. While a batch is under way nothing
  /// is taken, and waiting inserts past the bound are dropped, oldest first (`dropped` says how
  /// many). Hit counts and impressions go along when `now` reaches their due time, which is
  /// then set `counts_every_ms` later. A batch taken marks one as under way until `written()`.
  std::optional<cache_writes> due(std::int64_t now, std::int64_t counts_every_ms,
                                  std::size_t& dropped);

  /// The batch under way was written (or failed: storage logged it, and the buffer does not
  /// retry).
  void written() { writing_ = false; }

  /// Everything pending, counts included, whether or not a batch is under way (shutdown).
  cache_writes take_all() { return take(true); }

  bool writing() const { return writing_; }

private:
  cache_writes take(bool counts);

  std::size_t max_waiting_inserts_;
  cache_writes writes_;
  /// Impressions since the last write, by user, then one per connection, source and arm (a
  /// user has few): found without building a key, since every answer, hit or miss, adds one.
  std::unordered_map<std::string, std::vector<impression>> impressions_;
  std::unordered_map<std::string, std::int64_t> hits_;
  std::int64_t counts_due_ms_ = 0;
  bool writing_ = false;
};

} // namespace foresight
