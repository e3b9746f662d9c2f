// write_behind_buffer: see the header.
#include "core/write_behind_buffer.hpp"

#include <algorithm>
#include <utility>

namespace foresight {

void write_behind_buffer::served(const std::string& user_id, const std::string& connection_id,
                                 const std::string& source, const std::string& arm,
                                 std::int64_t suggestions) {
  auto& mine = impressions_[user_id];
  auto imp = std::find_if(mine.begin(), mine.end(), [&](const impression& i) {
    return i.source == source && i.connection_id == connection_id && i.arm == arm;
  });
  if (imp == mine.end())
    imp = mine.insert(mine.end(), {user_id, connection_id, source, 0, 0, arm});
  imp->lists += 1;
  imp->suggestions += suggestions;
}

void write_behind_buffer::invalidate_user(const std::string& user_id) {
  auto& ins = writes_.inserts;
  ins.erase(std::remove_if(ins.begin(), ins.end(),
                           [&](const cached_suggestions& c) { return c.user_id == user_id; }),
            ins.end());
  writes_.invalidated_users.push_back(user_id);
}

void write_behind_buffer::forget_user(const std::string& user_id) {
  invalidate_user(user_id);
  impressions_.erase(user_id);
  auto& w = writes_.impressions;
  w.erase(std::remove_if(w.begin(), w.end(),
                         [&](const impression& i) { return i.user_id == user_id; }),
          w.end());
}

std::optional<cache_writes> write_behind_buffer::due(std::int64_t now,
                                                     std::int64_t counts_every_ms,
                                                     std::size_t& dropped) {
  dropped = 0;
  if (writing_) {
    auto& ins = writes_.inserts;
    if (ins.size() > max_waiting_inserts_) {
      dropped = ins.size() - max_waiting_inserts_;
      ins.erase(ins.begin(), ins.begin() + static_cast<std::ptrdiff_t>(dropped));
    }
    return std::nullopt;
  }
  auto counts = now >= counts_due_ms_;
  if (counts)
    counts_due_ms_ = now + counts_every_ms;
  auto w = take(counts);
  if (w.empty())
    return std::nullopt;
  writing_ = true;
  return w;
}

cache_writes write_behind_buffer::take(bool counts) {
  if (counts) {
    for (auto& [key, n] : hits_)
      writes_.hits.push_back({key, n});
    hits_.clear();
    for (auto& kv : impressions_)
      for (auto& imp : kv.second)
        writes_.impressions.push_back(std::move(imp));
    impressions_.clear();
  }
  return std::exchange(writes_, cache_writes{});
}

} // namespace foresight
