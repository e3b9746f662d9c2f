// HS256 JWT signing and verification, with a small strict JSON object reader for the header and
// payload (kept here rather than using simdjson so core's token check has no parser dependency).
#include "core/jwt.hpp"

#include "core/base64url.hpp"
#include "core/json_writer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <climits>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

namespace foresight {

namespace {

// ---------------------------------------------------------------------------------------------
// UTF-8

// Length of the well-formed UTF-8 sequence starting at s[pos], or 0 if it is ill-formed
// (overlong forms, surrogates and code points above U+10FFFF are ill-formed, per RFC 3629).
std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  auto in = [&](std::size_t i, unsigned lo, unsigned hi) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  unsigned c = byte(pos);
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return in(pos + 1, 0x80, 0xBF) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
    unsigned hi = c == 0xED ? 0x9F : 0xBF; // ED A0..BF would encode surrogates
    return in(pos + 1, lo, hi) && in(pos + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
    unsigned hi = c == 0xF4 ? 0x8F : 0xBF; // F4 90.. would exceed U+10FFFF
    return in(pos + 1, lo, hi) && in(pos + 2, 0x80, 0xBF) && in(pos + 3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence_length(s, i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// ---------------------------------------------------------------------------------------------
// JSON object reader (RFC 8259)

enum class json_kind { string, number, boolean, null, object, array };

/// A top-level member's value: strings are unescaped, numbers keep their literal text so the
/// caller decides how to convert them; nested containers are validated but not kept.
struct json_value {
  json_kind kind = json_kind::null;
  std::string text;
};

using json_members = std::vector<std::pair<std::string, json_value>>;

// Nesting bound: JOSE headers and our claims are flat, and recursion must stay shallow.
constexpr int max_json_depth = 32;

class json_reader {
public:
  explicit json_reader(std::string_view text) : s_(text) {}

  /// Reads the whole text as one object; false on any syntax error, duplicate member name,
  /// invalid UTF-8 or trailing non-whitespace.
  bool read_object(json_members& members) {
    skip_ws();
    if (!parse_object(0, &members))
      return false;
    skip_ws();
    return pos_ == s_.size();
  }

private:
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }

  void skip_ws() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      ++pos_;
  }

  bool consume(char c) {
    if (at_end() || peek() != c)
      return false;
    ++pos_;
    return true;
  }

  // `out` is null for nested values, which are only validated.
  bool parse_value(int depth, json_value* out) {
    if (at_end())
      return false;
    switch (peek()) {
      case '{':
        if (out)
          out->kind = json_kind::object;
        return parse_object(depth + 1, nullptr);
      case '[':
        if (out)
          out->kind = json_kind::array;
        return parse_array(depth + 1);
      case '"': {
        std::string scratch;
        if (out)
          out->kind = json_kind::string;
        return parse_string(out ? out->text : scratch);
      }
      case 't':
      case 'f': {
        std::string_view word = peek() == 't' ? "true" : "false";
        if (out) {
          out->kind = json_kind::boolean;
          out->text = word;
        }
        return parse_literal(word);
      }
      case 'n':
        if (out)
          out->kind = json_kind::null;
        return parse_literal("null");
      default:
        if (out)
          out->kind = json_kind::number;
        return parse_number(out ? &out->text : nullptr);
    }
  }

  // `members` is non-null only for the top-level object, whose values the caller inspects.
  bool parse_object(int depth, json_members* members) {
    if (depth > max_json_depth || !consume('{'))
      return false;
    // Duplicate names are refused at every level: parsers disagree on which one wins, and that
    // disagreement is a classic way to smuggle a second "alg" or "sub" past a check.
    std::set<std::string> seen;
    skip_ws();
    if (consume('}'))
      return true;
    for (;;) {
      skip_ws();
      std::string name;
      if (at_end() || peek() != '"' || !parse_string(name))
        return false;
      if (!seen.insert(name).second)
        return false;
      skip_ws();
      if (!consume(':'))
        return false;
      skip_ws();
      json_value value;
      if (!parse_value(depth, members ? &value : nullptr))
        return false;
      if (members)
        members->emplace_back(std::move(name), std::move(value));
      skip_ws();
      if (consume('}'))
        return true;
      if (!consume(','))
        return false;
    }
  }

  bool parse_array(int depth) {
    if (depth > max_json_depth || !consume('['))
      return false;
    skip_ws();
    if (consume(']'))
      return true;
    for (;;) {
      skip_ws();
      if (!parse_value(depth, nullptr))
        return false;
      skip_ws();
      if (consume(']'))
        return true;
      if (!consume(','))
        return false;
    }
  }

  bool parse_hex4(std::uint32_t& v) {
    if (s_.size() - pos_ < 4)
      return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }

  bool parse_string(std::string& out) {
    out.clear();
    if (!consume('"'))
      return false;
    while (!at_end()) {
      unsigned char c = static_cast<unsigned char>(peek());
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) // raw control characters must be escaped
        return false;
      if (c >= 0x80) {
        std::size_t n = utf8_sequence_length(s_, pos_);
        if (n == 0)
          return false;
        out.append(s_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (at_end())
        return false;
      char e = s_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!parse_hex4(cp))
            return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) // a low surrogate cannot come first
            return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed by an escaped low one; a lone surrogate has no
            // UTF-8 form, and decoding it anyway would produce invalid UTF-8 downstream.
            std::uint32_t low = 0;
            if (!consume('\\') || !consume('u') || !parse_hex4(low) || low < 0xDC00 ||
                low > 0xDFFF)
              return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return false;
      }
    }
    return false; // unterminated
  }

  // RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool parse_number(std::string* out) {
    std::size_t start = pos_;
    auto digits = [&] {
      std::size_t from = pos_;
      while (!at_end() && peek() >= '0' && peek() <= '9')
        ++pos_;
      return pos_ > from;
    };
    consume('-');
    if (consume('0')) {
      // no further integer digits: "01" is not JSON
    } else if (at_end() || peek() < '1' || peek() > '9' || !digits()) {
      return false;
    }
    if (consume('.') && !digits())
      return false;
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!consume('+'))
        consume('-');
      if (!digits())
        return false;
    }
    if (out)
      out->assign(s_.substr(start, pos_ - start));
    return true;
  }

  bool parse_literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

bool read_json_object(std::string_view text, json_members& members) {
  members.clear();
  return json_reader(text).read_object(members);
}

const json_value* find_member(const json_members& members, std::string_view name) {
  for (const auto& m : members)
    if (m.first == name)
      return &m.second;
  return nullptr;
}

// Converts a JSON number literal (already grammar-checked) to whole seconds, truncating any
// fraction toward zero. False if the value does not fit in int64.
bool number_to_seconds(std::string_view text, std::int64_t& out) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (text.find_first_of(".eE") == std::string_view::npos) {
    // Integers are converted exactly: going through double would round above 2^53.
    auto [ptr, ec] = std::from_chars(first, last, out);
    return ec == std::errc{} && ptr == last;
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(first, last, d);
  if (ec != std::errc{} || ptr != last)
    return false;
  // int64 covers [-2^63, 2^63); both bounds are exact doubles. NaN fails both comparisons.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
    return false;
  out = static_cast<std::int64_t>(d);
  return true;
}

// Reads an optional numeric time claim: absent is fine (`present` false), wrong type is not.
bool read_time_claim(const json_members& members, std::string_view name, bool& present,
                     std::int64_t& out) {
  const json_value* v = find_member(members, name);
  present = v != nullptr;
  if (!v)
    return true;
  return v->kind == json_kind::number && number_to_seconds(v->text, out);
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
      !valid_utf8(claims.subject))
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
  json_members header_members;
  if (!base64url_decode(header_part, header) || !read_json_object(header, header_members))
    return jwt_error::malformed;
  const json_value* alg = find_member(header_members, "alg");
  if (!alg || alg->kind != json_kind::string || alg->text != "HS256")
    return jwt_error::unsupported_algorithm;
  // "crit" names extensions the verifier must understand (RFC 7515 section 4.1.11); we support
  // none, and some (e.g. RFC 7797 "b64") would change what the signature covers.
  if (find_member(header_members, "crit"))
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

  json_members members;
  if (!read_json_object(payload, members)) {
    result.error = jwt_error::malformed;
    return result;
  }
  const json_value* sub = find_member(members, "sub");
  if (!sub || sub->kind != json_kind::string || sub->text.empty()) {
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
  result.claims.subject = sub->text;
  result.claims.issued_at = iat;
  result.claims.expires_at = exp;
  return result;
}

} // namespace foresight
