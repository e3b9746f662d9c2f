// HS256 JWT signing and verification; the header and payload are read with simdjson, held to the
// stricter rules a token needs (see strictly_valid).
#include "core/jwt.hpp"

#include "core/base64url.hpp"
#include "core/json_writer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <simdjson.h>

#include <climits>
#include <limits>
#include <set>
#include <utility>

namespace foresight {

namespace {

// ---------------------------------------------------------------------------------------------
// JSON (simdjson's DOM, plus the rules it does not enforce by itself)

namespace dom = simdjson::dom;

// Nesting bound: JOSE headers and our claims are flat. The top-level object is level 0; containers
// deeper than this are refused. simdjson's own bound (twice as deep) only caps its work and stack.
constexpr std::size_t max_json_depth = 32;

/// One parser per thread for tokens: its buffers are sized once for the largest token allowed.
dom::parser& token_parser() {
  thread_local dom::parser parser;
  thread_local bool sized = !parser.allocate(max_jwt_bytes, 2 * max_json_depth);
  (void)sized;
  return parser;
}

// What simdjson accepts but a token must not carry: duplicate member names at any level (parsers
// disagree on which one wins, a classic way to smuggle a second "alg" or "sub" past a check),
// strings that are not valid UTF-8 once unescaped (a lone \u surrogate), and deep nesting.
bool strictly_valid(dom::element e, std::size_t depth) {
  switch (e.type()) {
    case dom::element_type::OBJECT: {
      if (depth > max_json_depth)
        return false;
      std::set<std::string_view> seen;
      // Named copies: a range-for over the temporary result's value would dangle.
      dom::object object = e.get_object().value_unsafe();
      for (dom::key_value_pair member : object) {
        if (!simdjson::validate_utf8(member.key.data(), member.key.size()) ||
            !seen.insert(member.key).second || !strictly_valid(member.value, depth + 1))
          return false;
      }
      return true;
    }
    case dom::element_type::ARRAY: {
      if (depth > max_json_depth)
        return false;
      dom::array array = e.get_array().value_unsafe();
      for (dom::element item : array)
        if (!strictly_valid(item, depth + 1))
          return false;
      return true;
    }
    case dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      return simdjson::validate_utf8(s.data(), s.size());
    }
    default:
      return true;
  }
}

/// Parses `text` as one JSON object (RFC 8259: nothing but whitespace around it) and applies
/// strictly_valid. `root` lives in the thread's token parser until its next parse.
bool read_json_object(std::string_view text, dom::object& root) {
  dom::element doc;
  return !token_parser().parse(text.data(), text.size()).get(doc) &&
         !doc.get_object().get(root) && strictly_valid(doc, 0);
}

/// The member called `name`, if any; names are unique once read_json_object has succeeded.
bool find_member(dom::object obj, std::string_view name, dom::element& out) {
  return !obj.at_key(name).get(out);
}

// Converts a JSON number to whole seconds, truncating any fraction toward zero. False if it is not
// a number or does not fit in int64 (simdjson keeps integers exact, so no rounding above 2^53).
bool number_to_seconds(dom::element e, std::int64_t& out) {
  switch (e.type()) {
    case dom::element_type::INT64:
      out = e.get_int64().value_unsafe();
      return true;
    case dom::element_type::DOUBLE: {
      double d = e.get_double().value_unsafe();
      // int64 covers [-2^63, 2^63); both bounds are exact doubles. NaN fails both comparisons.
      if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return false;
      out = static_cast<std::int64_t>(d);
      return true;
    }
    default: // UINT64 is above INT64_MAX; strings, booleans, null and containers are not times
      return false;
  }
}

// Reads an optional numeric time claim: absent is fine (`present` false), wrong type is not.
bool read_time_claim(dom::object claims, std::string_view name, bool& present, std::int64_t& out) {
  dom::element v;
  present = find_member(claims, name, v);
  return !present || number_to_seconds(v, out);
}

// ---------------------------------------------------------------------------------------------
// JWS

constexpr std::size_t hs256_mac_bytes = 32;

bool hmac_sha256(std::string_view key, std::string_view data, unsigned char (&mac)[hs256_mac_bytes]) {
  if (key.size() > static_cast<std::size_t>(INT_MAX))
    return false;
  unsigned int len = 0;
  // An empty string_view may have a null data(); HMAC wants a real pointer for the key.
  static const unsigned char empty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&empty) : key.data();
  const auto* data_ptr = data.empty() ? &empty : reinterpret_cast<const unsigned char*>(data.data());
  return HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), data_ptr, data.size(), mac,
              &len) != nullptr &&
         len == hs256_mac_bytes;
}

} // namespace

const char* to_string(jwt_error error) {
  switch (error) {
    case jwt_error::none: return "none";
    case jwt_error::malformed: return "malformed";
    case jwt_error::unsupported_algorithm: return "unsupported_algorithm";
    case jwt_error::bad_signature: return "bad_signature";
    case jwt_error::expired: return "expired";
    case jwt_error::not_yet_valid: return "not_yet_valid";
    case jwt_error::missing_subject: return "missing_subject";
  }
  return "unknown";
}

std::string jwt_sign(const jwt_claims& claims, std::string_view secret) {
  if (secret.size() < min_hs256_key_bytes || claims.subject.empty() ||
      !simdjson::validate_utf8(claims.subject.data(), claims.subject.size()))
    return {};
  std::string payload = "{\"sub\":";
  append_json_string(payload, claims.subject);
  payload += ",\"iat\":";
  payload += std::to_string(claims.issued_at);
  payload += ",\"exp\":";
  payload += std::to_string(claims.expires_at);
  payload += '}';

  std::string token = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  token.push_back('.');
  token += base64url_encode(payload);
  unsigned char mac[hs256_mac_bytes];
  if (!hmac_sha256(secret, token, mac))
    return {};
  token.push_back('.');
  token += base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
  return token;
}

std::string mint_token(std::string_view user_id, std::int64_t now, std::int64_t ttl_seconds,
                       std::string_view secret) {
  if (ttl_seconds <= 0 || now > std::numeric_limits<std::int64_t>::max() - ttl_seconds)
    return {};
  return jwt_sign({std::string(user_id), now, now + ttl_seconds}, secret);
}

jwt_error jws_verify_hs256(std::string_view token, std::string_view key, std::string& payload_out) {
  payload_out.clear();
  if (token.size() > max_jwt_bytes)
    return jwt_error::malformed;
  std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos)
    return jwt_error::malformed;
  std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return jwt_error::malformed;
  std::string_view header_part = token.substr(0, dot1);
  std::string_view payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature_part = token.substr(dot2 + 1);

  // The header has to be read before the MAC check (it names the algorithm), so it is parsed
  // strictly and consulted only to pin "alg"; nothing else in it is trusted.
  std::string header;
  dom::object header_members;
  if (!base64url_decode(header_part, header) || !read_json_object(header, header_members))
    return jwt_error::malformed;
  dom::element alg;
  std::string_view alg_name;
  if (!find_member(header_members, "alg", alg) || alg.get_string().get(alg_name) ||
      alg_name != "HS256")
    return jwt_error::unsupported_algorithm;
  // "crit" names extensions the verifier must understand (RFC 7515 section 4.1.11); we support
  // none, and some (e.g. RFC 7797 "b64") would change what the signature covers.
  if (dom::element crit; find_member(header_members, "crit", crit))
    return jwt_error::unsupported_algorithm;

  std::string signature;
  if (!base64url_decode(signature_part, signature))
    return jwt_error::malformed;
  if (key.size() < min_hs256_key_bytes)
    return jwt_error::bad_signature;
  unsigned char mac[hs256_mac_bytes];
  // The MAC covers the exact received ASCII, not a re-encoding of the decoded parts.
  if (!hmac_sha256(key, token.substr(0, dot2), mac) || signature.size() != hs256_mac_bytes ||
      CRYPTO_memcmp(mac, signature.data(), hs256_mac_bytes) != 0)
    return jwt_error::bad_signature;

  // Only now is the payload authentic; it is still decoded strictly so one token has one meaning.
  std::string payload;
  if (!base64url_decode(payload_part, payload))
    return jwt_error::malformed;
  payload_out = std::move(payload);
  return jwt_error::none;
}

jwt_verification jwt_verify(std::string_view token, std::string_view secret,
                            std::int64_t now_unix_seconds) {
  jwt_verification result;
  std::string payload;
  result.error = jws_verify_hs256(token, secret, payload);
  if (result.error != jwt_error::none)
    return result;

  dom::object members;
  if (!read_json_object(payload, members)) {
    result.error = jwt_error::malformed;
    return result;
  }
  dom::element sub_member;
  std::string_view sub;
  if (!find_member(members, "sub", sub_member) || sub_member.get_string().get(sub) || sub.empty()) {
    result.error = jwt_error::missing_subject;
    return result;
  }
  bool has_exp = false, has_nbf = false, has_iat = false;
  std::int64_t exp = 0, nbf = 0, iat = 0;
  if (!read_time_claim(members, "exp", has_exp, exp) || !has_exp ||
      !read_time_claim(members, "nbf", has_nbf, nbf) ||
      !read_time_claim(members, "iat", has_iat, iat)) {
    result.error = jwt_error::malformed;
    return result;
  }
  if (now_unix_seconds >= exp) {
    result.error = jwt_error::expired;
    return result;
  }
  if (has_nbf && now_unix_seconds < nbf) {
    result.error = jwt_error::not_yet_valid;
    return result;
  }
  result.claims.subject = std::string(sub);
  result.claims.issued_at = iat;
  result.claims.expires_at = exp;
  return result;
}

} // namespace foresight
