// token_cache: a bounded map from verified token text to its claims.
#include "core/token_cache.hpp"

namespace foresight {

token_cache::token_cache(std::string secret, std::size_t max_bytes)
  : secret_(std::move(secret)), max_bytes_(max_bytes) {}

jwt_verification token_cache::verify(std::string_view token, std::int64_t now_unix_seconds) {
  jwt_verification v;
  auto key = std::hash<std::string_view>{}(token);
  {
    std::lock_guard<std::mutex> lock{mtx_};
    if (auto i = tokens_.find(key); i != tokens_.end() && i->second.token == token) {
      if (now_unix_seconds < i->second.claims.expires_at) {
        v.claims = i->second.claims;
        return v;
      }
      bytes_ -= i->second.token.size();
      tokens_.erase(i);
    }
  }
  v = jwt_verify(token, secret_, now_unix_seconds);
  if (!v.ok())
    return v;
  std::lock_guard<std::mutex> lock{mtx_};
  if (bytes_ + token.size() > max_bytes_) {
    // Starting over is simpler than an LRU, and a miss costs only one verification.
    tokens_.clear();
    bytes_ = 0;
  }
  auto& slot = tokens_[key];
  bytes_ += token.size() - slot.token.size();
  slot = verified{std::string(token), v.claims};
  return v;
}

std::size_t token_cache::size() const {
  std::lock_guard<std::mutex> lock{mtx_};
  return tokens_.size();
}

} // namespace foresight
