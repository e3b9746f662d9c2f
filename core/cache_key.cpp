// context_hash: MD5 as the spec's suggestion_cache.context_hash asks; not a security boundary
// (the user id is part of the input, so one user's hash never serves another's entry unless
// MD5 collides on crafted input, and every input here is the server's own).
#include "core/cache_key.hpp"

#include <openssl/evp.h>
#include <stdexcept>

#include "core/text_match.hpp"

namespace foresight {

std::string md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("MD5 is not available");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(2 * len, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0xF];
  }
  return out;
}

std::string context_hash(const suggestion_context_key& k) {
  std::string input;
  auto field = [&](std::string_view s) {
    input += std::to_string(s.size());
    input += ':';
    input += s;
    input += ';';
  };
  field(k.user_id);
  field(k.role);
  field(normalise_text(k.partial_query));
  field(k.connection_id);
  field(std::to_string(k.preferences_version));
  field(std::to_string(k.count));
  field(std::to_string(k.catalog_version));
  return md5_hex(input);
}

} // namespace foresight
