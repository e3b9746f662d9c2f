// The query texts of the latest committed query activities, by id: what a feedback row rates is
// almost always one of its user's latest queries, so the committer finds its text here instead
// of asking the database in a round trip of its own.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace foresight {

class recent_query_texts {
public:
  explicit recent_query_texts(std::size_t capacity) : capacity_(capacity) {}

  /// A committed query activity; the oldest is forgotten beyond the capacity.
  void remember(std::int64_t id, const std::string& user_id, const std::string& query_text);
  /// The text of query `id` if it is remembered and is `user_id`'s.
  std::optional<std::string> find(std::int64_t id, const std::string& user_id) const;
  /// Forgets `user_id`'s queries (the user's data was erased).
  void forget_user(const std::string& user_id);

  std::size_t size() const { return by_id_.size(); }

private:
  struct entry {
    std::string user_id;
    std::string query_text;
  };
  std::size_t capacity_;
  std::unordered_map<std::int64_t, entry> by_id_;
  std::deque<std::int64_t> order_; ///< oldest first
};

} // namespace foresight
