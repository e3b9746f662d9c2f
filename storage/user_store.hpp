// The users: profiles, password hashes, and erasing a user's data.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/model.hpp"
#include "storage/session.hpp"

namespace foresight {

class user_store {
public:
  explicit user_store(session& db) : db_(db) {}

  bool find_user(const std::string& id, user_profile& out);
  /// Looks a user up by username and hands back the stored password hash.
  bool find_login(const std::string& username, user_profile& out, std::string& password_hash);
  /// Inserts a user whose password is already hashed, and audits it as done by `actor`. Throws
  /// storage_error (conflict) on id/username clash.
  user_profile insert_user(const new_user& u, const std::string& password_hash,
                           const std::string& actor);
  /// Replaces a user's password hash, audited as `actor`'s; returns the change's time (Unix
  /// seconds), or -1 if there is no such user.
  std::int64_t set_password(const std::string& user_id, const std::string& password_hash,
                            const std::string& actor);
  /// Every user's last password change (Unix seconds), to revoke older tokens at start.
  std::vector<std::pair<std::string, std::int64_t>> password_changes();
  /// Deletes a user's activity, own patterns, cached suggestions, impressions and preferences
  /// (with `delete_account`, the user too) and resets the patterns to replay `rebuild_days`, in
  /// one transaction. Throws storage_error (not_found) for an unknown user.
  /// Audited as `actor`'s.
  erase_report erase_user(const std::string& actor, const std::string& user_id,
                          bool delete_account, int rebuild_days);

private:
  session& db_;
};

} // namespace foresight
