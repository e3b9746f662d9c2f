// A map under a mutex; a token issued in the same second as the change keeps working (iat has
// whole seconds, and revoking that second would also refuse a login right after the change).
#include "core/token_revocations.hpp"

#include <algorithm>

namespace foresight {

void token_revocations::password_changed(const std::string& user_id, std::int64_t changed_at) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& t = changed_at_[user_id];
  t = std::max(t, changed_at);
}

bool token_revocations::revoked(const std::string& user_id, std::int64_t issued_at) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = changed_at_.find(user_id);
  return i != changed_at_.end() && issued_at < i->second;
}

} // namespace foresight
