// cache_entry_store: see the header.
#include "core/cache_entry_store.hpp"

#include <algorithm>

namespace foresight {

cache_entry_store::cache_entry_store(std::size_t max_entries)
  : max_(std::max<std::size_t>(1, max_entries)) {}

cache_entry* cache_entry_store::find_live(const std::string& key, std::int64_t now) {
  auto i = entries_.find(key);
  if (i == entries_.end())
    return nullptr;
  if (i->second.expires_ms > now)
    return &i->second;
  entries_.erase(i);
  return nullptr;
}

cache_entry* cache_entry_store::find(const std::string& key) {
  auto i = entries_.find(key);
  return i == entries_.end() ? nullptr : &i->second;
}

void cache_entry_store::put(const std::string& key, cache_entry e) {
  auto growing = entries_.count(key) == 0;
  while (growing && entries_.size() >= max_ && !order_.empty()) {
    auto [old_key, old_expiry] = std::move(order_.front());
    order_.pop_front();
    // Skipped when that entry was replaced or removed since.
    if (auto i = entries_.find(old_key); i != entries_.end() && i->second.expires_ms == old_expiry)
      entries_.erase(i);
  }
  order_.emplace_back(key, e.expires_ms);
  entries_.insert_or_assign(key, std::move(e));
  // Replaced and removed entries leave stale places behind; rebuild before they pile up.
  if (order_.size() > 2 * max_ + 16) {
    order_.clear();
    for (auto& kv : entries_)
      order_.emplace_back(kv.first, kv.second.expires_ms);
    std::sort(order_.begin(), order_.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
  }
}

std::size_t cache_entry_store::erase_user(const std::string& user_id) {
  std::size_t n = 0;
  for (auto i = entries_.begin(); i != entries_.end();) {
    if (i->second.user_id == user_id) {
      i = entries_.erase(i);
      ++n;
    } else {
      ++i;
    }
  }
  return n;
}

} // namespace foresight
