// Password storage: salted PBKDF2-HMAC-SHA256 in a self-describing string, plus the random-byte
// and hex helpers the auth code needs.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace foresight {

/// Iterations for new hashes (OWASP 2023 guidance for PBKDF2-HMAC-SHA256).
constexpr int default_pbkdf2_iterations = 600000;

/// Lowest iteration count password_hash writes and password_verify accepts.
constexpr int min_pbkdf2_iterations = 1000;

/// Highest iteration count accepted; bounds the CPU one login attempt can cost.
constexpr int max_pbkdf2_iterations = 10000000;

/// Hashes `password` with a fresh 16-byte salt into
/// `pbkdf2_sha256$<iterations>$<salt base64>$<32-byte key base64>` (standard base64, padded).
/// Returns an empty string, which never verifies, if `iterations` is outside
/// [min_pbkdf2_iterations, max_pbkdf2_iterations]. Throws std::runtime_error only if the system
/// random generator fails, as random_bytes does.
std::string password_hash(std::string_view password, int iterations = default_pbkdf2_iterations);

/// True if `stored` is a well-formed password_hash string (iterations within bounds, 8-64 byte
/// salt, 32-byte key) and `password` derives the same key; compared in constant time.
bool password_verify(std::string_view password, std::string_view stored);

/// A well-formed hash that no password matches (random salt and key): checking a login of an
/// unknown user against it costs what checking a known one does, so timing does not tell them
/// apart.
std::string unmatchable_password_hash(int iterations = default_pbkdf2_iterations);

/// The iteration count of a well-formed password_hash string, else 0.
int password_hash_iterations(std::string_view stored);

/// `n` bytes from OpenSSL's CSPRNG (RAND_bytes). Throws std::runtime_error if it fails.
std::string random_bytes(std::size_t n);

/// Lowercase hexadecimal, two digits per byte.
std::string hex_encode(std::string_view bytes);

/// Raw PBKDF2-HMAC-SHA256 (RFC 8018), `key_len` bytes; exposed for the known-answer tests.
/// Returns an empty string if `iterations` < 1, `key_len` is 0, a size exceeds int, or OpenSSL
/// fails.
std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations,
                          std::size_t key_len);

} // namespace foresight
