// PBKDF2 password hashing on OpenSSL, and the strict parser for the stored format.
#include "core/password_hash.hpp"

#include "core/base64url.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <stdexcept>
#include <system_error>

namespace foresight {

namespace {

constexpr std::string_view scheme = "pbkdf2_sha256";
constexpr std::size_t salt_bytes = 16;
constexpr std::size_t key_bytes = 32;
// Accepted salt sizes when verifying: we write 16, but the format itself carries the salt.
constexpr std::size_t min_salt_bytes = 8;
constexpr std::size_t max_salt_bytes = 64;

// Splits "a$b$c$d" into exactly four fields.
bool split4(std::string_view s, std::string_view (&fields)[4]) {
  for (int i = 0; i < 3; ++i) {
    std::size_t d = s.find('$');
    if (d == std::string_view::npos)
      return false;
    fields[i] = s.substr(0, d);
    s.remove_prefix(d + 1);
  }
  if (s.find('$') != std::string_view::npos)
    return false;
  fields[3] = s;
  return true;
}

// Plain decimal without sign or leading zeros, so each count has a single spelling.
bool parse_iterations(std::string_view text, int& out) {
  if (text.empty() || text.size() > 9 || text[0] == '0' ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

} // namespace

std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations,
                          std::size_t key_len) {
  if (iterations < 1 || key_len == 0 || password.size() > static_cast<std::size_t>(INT_MAX) ||
      salt.size() > static_cast<std::size_t>(INT_MAX) ||
      key_len > static_cast<std::size_t>(INT_MAX))
    return {};
  // Empty views may carry a null data(); OpenSSL gets a real (empty) buffer instead.
  static const char empty = 0;
  const char* pass_ptr = password.empty() ? &empty : password.data();
  const auto* salt_ptr = reinterpret_cast<const unsigned char*>(salt.empty() ? &empty : salt.data());
  std::string key(key_len, '\0');
  if (PKCS5_PBKDF2_HMAC(pass_ptr, static_cast<int>(password.size()), salt_ptr,
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(key_len), reinterpret_cast<unsigned char*>(key.data())) != 1)
    return {};
  return key;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  // RAND_bytes takes an int count; larger requests are served in chunks.
  while (n > 0) {
    int chunk = static_cast<int>(std::min<std::size_t>(n, INT_MAX));
    if (RAND_bytes(p, chunk) != 1)
      throw std::runtime_error("RAND_bytes failed: the system random generator is unavailable");
    p += chunk;
    n -= static_cast<std::size_t>(chunk);
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 0xF]);
  }
  return out;
}

std::string password_hash(std::string_view password, int iterations) {
  // A hash password_verify would refuse is worse than none: it would lock the user out silently.
  if (iterations < min_pbkdf2_iterations || iterations > max_pbkdf2_iterations)
    return {};
  std::string salt = random_bytes(salt_bytes);
  std::string key = pbkdf2_sha256(password, salt, iterations, key_bytes);
  if (key.empty())
    return {};
  std::string out(scheme);
  out.push_back('$');
  out += std::to_string(iterations);
  out.push_back('$');
  out += base64_encode(salt);
  out.push_back('$');
  out += base64_encode(key);
  return out;
}

std::string unmatchable_password_hash(int iterations) {
  iterations = std::clamp(iterations, min_pbkdf2_iterations, max_pbkdf2_iterations);
  return std::string(scheme) + "$" + std::to_string(iterations) + "$" +
         base64_encode(random_bytes(salt_bytes)) + "$" + base64_encode(random_bytes(key_bytes));
}

int password_hash_iterations(std::string_view stored) {
  std::string_view fields[4];
  int iterations = 0;
  if (!split4(stored, fields) || fields[0] != scheme || !parse_iterations(fields[1], iterations) ||
      iterations < min_pbkdf2_iterations || iterations > max_pbkdf2_iterations)
    return 0;
  return iterations;
}

bool password_verify(std::string_view password, std::string_view stored) {
  std::string_view fields[4];
  if (!split4(stored, fields) || fields[0] != scheme)
    return false;
  int iterations = 0;
  if (!parse_iterations(fields[1], iterations) || iterations < min_pbkdf2_iterations ||
      iterations > max_pbkdf2_iterations)
    return false;
  std::string salt, expected;
  if (!base64_decode(fields[2], salt) || salt.size() < min_salt_bytes ||
      salt.size() > max_salt_bytes || !base64_decode(fields[3], expected) ||
      expected.size() != key_bytes)
    return false;
  std::string actual = pbkdf2_sha256(password, salt, iterations, key_bytes);
  // Constant time, so response timing reveals nothing about how much of the key matched.
  return actual.size() == key_bytes && CRYPTO_memcmp(actual.data(), expected.data(), key_bytes) == 0;
}

} // namespace foresight
