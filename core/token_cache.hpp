// token_cache: remembers tokens that verified, so a client sending the same bearer token on every
// request pays for base64url, HMAC-SHA256 and the claims' JSON once, not per request.
// Only verified tokens are stored, keyed by the whole token text, and "exp" is checked again on
// every hit, so a cached token expires exactly when it would unverified. ("nbf" needs no second
// look: a token is only stored once it is valid, and time moves on.)
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/jwt.hpp"

namespace foresight {

class token_cache {
public:
  /// `secret` is the HS256 key; at most `max_bytes` of token text are held (then it starts over).
  explicit token_cache(std::string secret, std::size_t max_bytes = 4 * 1024 * 1024);

  /// The same answer as `jwt_verify(token, secret, now)`. Thread-safe.
  jwt_verification verify(std::string_view token, std::int64_t now_unix_seconds);

  /// Tokens held (for tests).
  std::size_t size() const;

private:
  std::string secret_;
  std::size_t max_bytes_;
  mutable std::mutex mtx_;
  struct verified {
    std::string token; ///< compared in full: the key is only its hash
    jwt_claims claims;
  };
  /// By the token's hash, so a lookup needs no copy of the token; a colliding token replaces.
  std::unordered_map<std::size_t, verified> tokens_;
  std::size_t bytes_ = 0;
};

} // namespace foresight
