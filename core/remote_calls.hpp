// remote_calls: requests forwarded to other nodes and not answered yet, by node. When a node
// leaves the live set its replies will never come, so each waiting call is failed at once
// (answered 503) instead of running into the request timeout.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace foresight {

class remote_calls {
public:
  using fail_fn = std::function<void()>;

  /// Records a call waiting on `node`; `fail` runs if the node is lost first. Returns its id.
  std::uint64_t add(const std::string& node, fail_fn fail);

  /// The call was answered: it is no longer failed with its node.
  void remove(const std::string& node, std::uint64_t id);

  /// Fails (outside the lock) and forgets every call waiting on a node not in `live`.
  void fail_all_but(const std::vector<std::string>& live);

  /// Calls waiting, all nodes together.
  std::size_t waiting() const;

private:
  mutable std::mutex mtx_;
  std::uint64_t next_ = 0;
  std::unordered_map<std::string, std::unordered_map<std::uint64_t, fail_fn>> by_node_;
};

} // namespace foresight
