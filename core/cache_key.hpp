// The suggestion cache's key: which inputs make two requests interchangeable.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace foresight {

/// Everything a cached suggestion list depends on.
struct suggestion_context_key {
  std::string_view user_id;
  std::string_view role;
  std::string_view partial_query; ///< as typed; normalised here
  std::string_view connection_id;
  std::int32_t preferences_version = 0;
  std::int32_t count = 6;
  std::int32_t catalog_version = 0;
};

/// MD5 hex (32 characters) over the fields, each length-prefixed so that no two different
/// contexts can produce the same input bytes ("ab"+"c" vs "a"+"bc").
std::string context_hash(const suggestion_context_key& k);

/// Lower-hex MD5 of `data` (OpenSSL EVP).
std::string md5_hex(std::string_view data);

} // namespace foresight
