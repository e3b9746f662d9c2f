#include "core/recent_query_texts.hpp"

namespace foresight {

void recent_query_texts::remember(std::int64_t id, const std::string& user_id,
                                  const std::string& query_text) {
  if (capacity_ == 0 || !by_id_.emplace(id, entry{user_id, query_text}).second)
    return;
  order_.push_back(id);
  while (order_.size() > capacity_) {
    by_id_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<std::string> recent_query_texts::find(std::int64_t id,
                                                    const std::string& user_id) const {
  auto i = by_id_.find(id);
  if (i == by_id_.end() || i->second.user_id != user_id)
    return std::nullopt;
  return i->second.query_text;
}

void recent_query_texts::forget_user(const std::string& user_id) {
  std::deque<std::int64_t> kept;
  for (auto id : order_) {
    auto i = by_id_.find(id);
    if (i->second.user_id == user_id)
      by_id_.erase(i);
    else
      kept.push_back(id);
  }
  order_.swap(kept);
}

} // namespace foresight
