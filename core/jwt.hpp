// JWT access tokens: HS256-only JWS compact serialization (RFC 7515) carrying RFC 7519 claims.
// The algorithm is pinned, so a token can never choose how it is checked.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace foresight {

/// The claims foresight issues and checks; times are Unix seconds.
struct jwt_claims {
  std::string subject;         ///< "sub": the user the token speaks for
  std::int64_t issued_at = 0;  ///< "iat"; 0 when the token has none
  std::int64_t expires_at = 0; ///< "exp"
};

/// Why a token was refused.
enum class jwt_error {
  none,                  ///< the token is valid
  malformed,             ///< not 3 parts, bad base64url, bad JSON, bad claim types, over 8 KiB
  unsupported_algorithm, ///< "alg" is not exactly "HS256", or the header has "crit"
  bad_signature,         ///< the MAC does not match (or the key is shorter than 32 bytes)
  expired,               ///< now >= "exp"
  not_yet_valid,         ///< now < "nbf"
  missing_subject,       ///< "sub" absent, empty or not a string
};

/// Short snake_case name of the error, e.g. "malformed", for logs and metrics.
const char* to_string(jwt_error error);

/// Tokens longer than this are refused unread, bounding the work an unauthenticated client causes.
constexpr std::size_t max_jwt_bytes = 8 * 1024;

/// RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output. Shorter keys
/// are refused by signing and verification alike; the config layer should check this at startup.
constexpr std::size_t min_hs256_key_bytes = 32;

/// Signs `claims` as `{"alg":"HS256","typ":"JWT"}`.`{"sub":..,"iat":..,"exp":..}`.
/// Returns an empty string, which no verifier accepts, if the token could never verify: `secret`
/// shorter than min_hs256_key_bytes, or a subject that is empty or not valid UTF-8.
std::string jwt_sign(const jwt_claims& claims, std::string_view secret);

/// Mints the access token for `user_id`: issued at `now`, expiring `ttl_seconds` later. The one
/// place tokens are made, for the login route and the `token` subcommand alike. Empty, as from
/// jwt_sign, when the token could never verify: `ttl_seconds` not positive, `now + ttl_seconds`
/// beyond int64, or anything jwt_sign refuses.
std::string mint_token(std::string_view user_id, std::int64_t now, std::int64_t ttl_seconds,
                       std::string_view secret);

/// Outcome of jwt_verify; `claims` is filled only when ok().
struct jwt_verification {
  jwt_error error = jwt_error::none; ///< why the token was refused, or none
  jwt_claims claims;                 ///< the verified claims; empty unless ok()
  /// True when the token is authentic and currently valid.
  bool ok() const { return error == jwt_error::none; }
};

/// Verifies an HS256 JWT: the JWS checks of jws_verify_hs256, then a JSON-object payload with a
/// non-empty string "sub", a numeric "exp" (now >= exp: expired), an optional numeric "nbf"
/// (now < nbf: not yet valid) and an optional numeric "iat". Fractional times are truncated.
jwt_verification jwt_verify(std::string_view token, std::string_view secret,
                            std::int64_t now_unix_seconds);

/// The JWS layer alone: exactly 3 dot-separated strict-base64url parts, a header that is a JSON
/// object with "alg" exactly "HS256" and no "crit", and an HMAC-SHA256 over the received
/// `header.payload` bytes that matches in constant time. On success `payload_out` holds the decoded
/// payload bytes (not interpreted); on failure it is empty. Keys shorter than min_hs256_key_bytes
/// give bad_signature.
jwt_error jws_verify_hs256(std::string_view token, std::string_view key, std::string& payload_out);

} // namespace foresight
