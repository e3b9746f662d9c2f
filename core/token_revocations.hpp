// token_revocations: tokens issued before a user's latest password change stop working.
// Tokens are stateless (HS256, sub/iat/exp), so the server remembers, per user, the second of
// the last change, loaded from the database at start and updated by the password route.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace foresight {

class token_revocations {
public:
  /// Tokens of `user_id` issued before `changed_at` (Unix seconds) are revoked from now on.
  void password_changed(const std::string& user_id, std::int64_t changed_at);

  /// True if a token of `user_id` issued at `issued_at` (0: unknown) predates a password change.
  bool revoked(const std::string& user_id, std::int64_t issued_at) const;

private:
  mutable std::mutex mtx_;
  std::unordered_map<std::string, std::int64_t> changed_at_; ///< one entry per user who changed
};

} // namespace foresight
