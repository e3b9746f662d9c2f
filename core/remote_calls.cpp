#include "core/remote_calls.hpp"

#include <algorithm>

namespace foresight {

std::uint64_t remote_calls::add(const std::string& node, fail_fn fail) {
  std::lock_guard<std::mutex> lock{mtx_};
  auto id = next_++;
  by_node_[node].emplace(id, std::move(fail));
  return id;
}

void remote_calls::remove(const std::string& node, std::uint64_t id) {
  std::lock_guard<std::mutex> lock{mtx_};
  if (auto i = by_node_.find(node); i != by_node_.end()) {
    i->second.erase(id);
    if (i->second.empty())
      by_node_.erase(i);
  }
}

void remote_calls::fail_all_but(const std::vector<std::string>& live) {
  std::vector<fail_fn> failed;
  {
    std::lock_guard<std::mutex> lock{mtx_};
    for (auto i = by_node_.begin(); i != by_node_.end();) {
      if (std::find(live.begin(), live.end(), i->first) != live.end()) {
        ++i;
        continue;
      }
      for (auto& entry : i->second)
        failed.push_back(std::move(entry.second));
      i = by_node_.erase(i);
    }
  }
  for (auto& f : failed)
    f(); // outside the lock: a failure may start another call
}

std::size_t remote_calls::waiting() const {
  std::lock_guard<std::mutex> lock{mtx_};
  std::size_t n = 0;
  for (auto& entry : by_node_)
    n += entry.second.size();
  return n;
}

} // namespace foresight
