// Tests for HS256 JWTs: sign/verify behaviour, the strict claim reader, a pinned token, and the
// Wycheproof JWS corpus run through jws_verify_hs256.
#include "core/jwt.hpp"

#include "core/base64url.hpp"

#include <boost/test/unit_test.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace foresight {
/// Lets BOOST_TEST print jwt_error operands by name (found by ADL).
inline std::ostream& boost_test_print_type(std::ostream& os, jwt_error e) {
  return os << to_string(e);
}
} // namespace foresight

using namespace foresight;

namespace {

const std::string secret = "foresight-test-secret-0123456789abcdef"; // 38 bytes
constexpr std::int64_t iat = 1700000000;
constexpr std::int64_t exp = 1700003600;

std::string hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

// Builds a correctly signed token from arbitrary header and payload text, so the claim checks can
// be exercised with JSON that jwt_sign would never produce.
std::string make_token(const std::string& header, const std::string& payload,
                       const std::string& key = secret) {
  std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  return input + "." + base64url_encode(hmac_sha256(key, input));
}

std::string make_jwt(const std::string& payload) {
  return make_token(R"({"alg":"HS256","typ":"JWT"})", payload);
}

jwt_error verify_at(const std::string& token, std::int64_t now = iat + 10) {
  return jwt_verify(token, secret, now).error;
}

std::vector<std::string> split_dots(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot - start));
    if (dot == std::string::npos)
      return parts;
    start = dot + 1;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(jwt)

BOOST_AUTO_TEST_CASE(sign_verify_round_trip) {
  std::string token = jwt_sign({"alice", iat, exp}, secret);
  BOOST_TEST(split_dots(token).size() == 3u);
  jwt_verification v = jwt_verify(token, secret, iat + 10);
  BOOST_TEST(v.ok());
  BOOST_TEST(v.claims.subject == "alice");
  BOOST_TEST(v.claims.issued_at == iat);
  BOOST_TEST(v.claims.expires_at == exp);
}

BOOST_AUTO_TEST_CASE(known_token_pins_the_signing_format) {
  // Computed independently with Python's json/hmac/hashlib:
  // header {"alg":"HS256","typ":"JWT"}, payload {"sub":"alice","iat":1700000000,"exp":1700003600}.
  const std::string expected =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiJhbGljZSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ."
      "FuxDs5q3Q3CaJO5tKSwoRGuawxl60puHZEodgpc5TX4";
  BOOST_TEST(jwt_sign({"alice", iat, exp}, secret) == expected);
  jwt_verification v = jwt_verify(expected, secret, iat);
  BOOST_TEST(v.ok());
  BOOST_TEST(v.claims.subject == "alice");
}

BOOST_AUTO_TEST_CASE(known_token_with_escaped_subject) {
  // Subject q"b\s/é<LF><TAB><U+0001>😀, signed by Python with json.dumps(ensure_ascii=False), whose
  // escaping (\" \\ \n \t \u0001, '/' and non-ASCII kept raw) jwt_sign must match byte for byte.
  const std::string subject = "q\"b\\s/\xc3\xa9\n\t\x01\xf0\x9f\x98\x80";
  const std::string expected =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiJxXCJiXFxzL8OpXG5cdFx1MDAwMfCfmIAiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0."
      "bhxA1V_aitvXJIEgfrldyW-BZBVLu_8uxmdtEE2FAbw";
  BOOST_TEST(jwt_sign({subject, iat, exp}, secret) == expected);
  jwt_verification v = jwt_verify(expected, secret, iat);
  BOOST_TEST(v.ok());
  BOOST_TEST(v.claims.subject == subject);
}

BOOST_AUTO_TEST_CASE(subject_with_quotes_controls_and_unicode_round_trips) {
  const std::vector<std::string> subjects = {
      "a\"b", "back\\slash", "</script>", "line\nbreak\r\n", std::string("nul\0byte", 8),
      "\x1f\x7f", "\xc3\xa9t\xc3\xa9", "\xe2\x80\xa8", "\xf0\x9f\x8e\x89 party", "{\"sub\":\"x\"}",
  };
  for (const auto& s : subjects) {
    std::string token = jwt_sign({s, iat, exp}, secret);
    jwt_verification v = jwt_verify(token, secret, iat);
    BOOST_TEST(v.ok());
    BOOST_TEST(v.claims.subject == s);
  }
}

BOOST_AUTO_TEST_CASE(expiry_boundary) {
  std::string token = jwt_sign({"alice", iat, exp}, secret);
  BOOST_TEST(verify_at(token, exp - 1) == jwt_error::none);
  BOOST_TEST(verify_at(token, exp) == jwt_error::expired); // exp itself is already too late
  BOOST_TEST(verify_at(token, exp + 86400) == jwt_error::expired);
  BOOST_TEST(!jwt_verify(token, secret, exp).ok());
  BOOST_TEST(jwt_verify(token, secret, exp).claims.subject.empty()); // no claims unless ok
}

BOOST_AUTO_TEST_CASE(not_before) {
  std::string token = make_jwt(R"({"sub":"alice","exp":1700003600,"nbf":1700000100})");
  BOOST_TEST(verify_at(token, 1700000099) == jwt_error::not_yet_valid);
  BOOST_TEST(verify_at(token, 1700000100) == jwt_error::none);
  // Expiry is reported first when both apply.
  std::string odd = make_jwt(R"({"sub":"alice","exp":100,"nbf":200})");
  BOOST_TEST(verify_at(odd, 150) == jwt_error::expired);
  BOOST_TEST(verify_at(make_jwt(R"({"sub":"a","exp":1700003600,"nbf":"soon"})")) ==
             jwt_error::malformed);
}

BOOST_AUTO_TEST_CASE(wrong_secret) {
  std::string token = jwt_sign({"alice", iat, exp}, secret);
  BOOST_TEST(jwt_verify(token, secret + "x", iat).error == jwt_error::bad_signature);
  std::string other = secret;
  other[0] ^= 1;
  BOOST_TEST(jwt_verify(token, other, iat).error == jwt_error::bad_signature);
}

BOOST_AUTO_TEST_CASE(short_keys_are_refused) {
  // RFC 7518 section 3.2: HS256 keys shorter than the 32-byte hash output are not allowed.
  const std::string short_key(31, 'k');
  BOOST_TEST(jwt_sign({"alice", iat, exp}, short_key).empty());
  std::string token = make_token(R"({"alg":"HS256"})", R"({"sub":"a","exp":1700003600})", short_key);
  BOOST_TEST(jwt_verify(token, short_key, iat).error == jwt_error::bad_signature);
  std::string empty_key_token = make_token(R"({"alg":"HS256"})", R"({"sub":"a","exp":1700003600})", "");
  BOOST_TEST(jwt_verify(empty_key_token, "", iat).error == jwt_error::bad_signature);
  const std::string exact_key(32, 'k');
  BOOST_TEST(jwt_verify(jwt_sign({"alice", iat, exp}, exact_key), exact_key, iat).ok());
}

BOOST_AUTO_TEST_CASE(sign_refuses_unverifiable_subjects) {
  BOOST_TEST(jwt_sign({"", iat, exp}, secret).empty());
  BOOST_TEST(jwt_sign({"\xff", iat, exp}, secret).empty());         // not UTF-8
  BOOST_TEST(jwt_sign({"\xed\xa0\x80", iat, exp}, secret).empty()); // encoded surrogate
  BOOST_TEST(jwt_sign({"\xc0\xaf", iat, exp}, secret).empty());     // overlong '/'
}

BOOST_AUTO_TEST_CASE(alg_none_is_rejected) {
  const std::string payload = base64url_encode(R"({"sub":"alice","exp":1700003600})");
  std::string unsigned_token = base64url_encode(R"({"alg":"none"})") + "." + payload + ".";
  BOOST_TEST(verify_at(unsigned_token) == jwt_error::unsupported_algorithm);
  // Even with a MAC that is correct for the bytes, "none" is not HS256.
  BOOST_TEST(verify_at(make_token(R"({"alg":"none"})", R"({"sub":"a","exp":1700003600})")) ==
             jwt_error::unsupported_algorithm);
}

BOOST_AUTO_TEST_CASE(other_algorithms_are_rejected) {
  const std::string claims = R"({"sub":"a","exp":1700003600})";
  for (const char* header : {R"({"alg":"HS512"})", R"({"alg":"HS384"})", R"({"alg":"hs256"})",
                             R"({"alg":"HS256 "})", R"({"alg":"RS256"})", R"({"typ":"JWT"})",
                             R"({"alg":null})", R"({"alg":["HS256"]})", R"({"alg":256})",
                             R"({"alg":{"name":"HS256"}})"})
    BOOST_TEST(verify_at(make_token(header, claims)) == jwt_error::unsupported_algorithm,
               "header " << header);
  // HS512 with a real HS512 MAC is still refused: the algorithm is pinned, not negotiated.
  std::string input = base64url_encode(R"({"alg":"HS512"})") + "." + base64url_encode(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha512(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  std::string hs512 = input + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), len));
  BOOST_TEST(verify_at(hs512) == jwt_error::unsupported_algorithm);
}

BOOST_AUTO_TEST_CASE(crit_header_is_rejected) {
  const std::string claims = R"({"sub":"a","exp":1700003600})";
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS256","crit":["exp"],"exp":1})", claims)) ==
             jwt_error::unsupported_algorithm);
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS256","b64":false,"crit":["b64"]})", claims)) ==
             jwt_error::unsupported_algorithm);
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS256","crit":[]})", claims)) ==
             jwt_error::unsupported_algorithm);
  // Other header members, including whitespace and unknown ones, are fine.
  BOOST_TEST(verify_at(make_token(" {\n\t\"kid\" : \"k1\" ,\r\n \"alg\":\"HS256\", \"x\":{\"y\":[1,2]} } ",
                                  claims)) == jwt_error::none);
}

BOOST_AUTO_TEST_CASE(tampered_token) {
  std::string token = jwt_sign({"alice", iat, exp}, secret);
  auto parts = split_dots(token);
  // Same signature, different payload (a later expiry, another subject).
  std::string later = base64url_encode(R"({"sub":"alice","iat":1700000000,"exp":1800003600})");
  BOOST_TEST(verify_at(parts[0] + "." + later + "." + parts[2]) == jwt_error::bad_signature);
  std::string admin = base64url_encode(R"({"sub":"admin","iat":1700000000,"exp":1700003600})");
  BOOST_TEST(verify_at(parts[0] + "." + admin + "." + parts[2]) == jwt_error::bad_signature);
  // Flipped signature bits, truncated and extended signatures.
  std::string sig = parts[2];
  sig[0] = sig[0] == 'A' ? 'B' : 'A';
  BOOST_TEST(verify_at(parts[0] + "." + parts[1] + "." + sig) == jwt_error::bad_signature);
  BOOST_TEST(verify_at(parts[0] + "." + parts[1] + "." + parts[2].substr(0, 40)) ==
             jwt_error::bad_signature);
  BOOST_TEST(verify_at(parts[0] + "." + parts[1] + ".") == jwt_error::bad_signature);
  std::string longer;
  base64url_decode(parts[2], longer);
  longer += "x";
  BOOST_TEST(verify_at(parts[0] + "." + parts[1] + "." + base64url_encode(longer)) ==
             jwt_error::bad_signature);
  // A different but equivalent header encoding changes the signed bytes.
  std::string header2 = base64url_encode(R"({"typ":"JWT","alg":"HS256"})");
  BOOST_TEST(verify_at(header2 + "." + parts[1] + "." + parts[2]) == jwt_error::bad_signature);
}

BOOST_AUTO_TEST_CASE(wrong_number_of_parts) {
  std::string token = jwt_sign({"alice", iat, exp}, secret);
  auto parts = split_dots(token);
  BOOST_TEST(verify_at(parts[0] + "." + parts[1]) == jwt_error::malformed);
  BOOST_TEST(verify_at(token + "." + parts[2]) == jwt_error::malformed);
  BOOST_TEST(verify_at(token + ".") == jwt_error::malformed);
  BOOST_TEST(verify_at(parts[0]) == jwt_error::malformed);
  BOOST_TEST(verify_at("") == jwt_error::malformed);
  BOOST_TEST(verify_at("..") == jwt_error::malformed);
  BOOST_TEST(verify_at("...") == jwt_error::malformed);
}

BOOST_AUTO_TEST_CASE(strict_base64url_in_every_part) {
  std::string token = jwt_sign({"alice", iat, exp}, secret);
  auto parts = split_dots(token);
  BOOST_TEST(verify_at(parts[0] + "=." + parts[1] + "." + parts[2]) == jwt_error::malformed);
  BOOST_TEST(verify_at(parts[0] + "." + parts[1] + " ." + parts[2]) != jwt_error::none);
  BOOST_TEST(verify_at(parts[0] + "." + parts[1] + "." + parts[2] + "=") == jwt_error::malformed);
  BOOST_TEST(verify_at(parts[0] + "." + parts[1] + "." + parts[2] + "\n") == jwt_error::malformed);
  BOOST_TEST(verify_at(" " + token) == jwt_error::malformed);
}

BOOST_AUTO_TEST_CASE(oversized_token_is_malformed) {
  std::string pad(9000, 'x');
  std::string big = make_jwt(R"({"sub":"alice","exp":1700003600,"pad":")" + pad + "\"}");
  BOOST_TEST(big.size() > max_jwt_bytes);
  BOOST_TEST(verify_at(big) == jwt_error::malformed);
  // Just under the limit is still read.
  std::string fits = make_jwt(R"({"sub":"alice","exp":1700003600,"pad":")" + std::string(6000, 'x') + "\"}");
  BOOST_TEST(fits.size() <= max_jwt_bytes);
  BOOST_TEST(verify_at(fits) == jwt_error::none);
}

BOOST_AUTO_TEST_CASE(claim_types_and_numbers) {
  auto with = [](const std::string& payload) { return verify_at(make_jwt(payload)); };
  BOOST_TEST(with(R"({"exp":1700003600})") == jwt_error::missing_subject);
  BOOST_TEST(with(R"({"sub":"","exp":1700003600})") == jwt_error::missing_subject);
  BOOST_TEST(with(R"({"sub":42,"exp":1700003600})") == jwt_error::missing_subject);
  BOOST_TEST(with(R"({"sub":null,"exp":1700003600})") == jwt_error::missing_subject);
  BOOST_TEST(with(R"({"sub":"a"})") == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":"1700003600"})") == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":true})") == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":1e300})") == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":99999999999999999999})") == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":1700003600,"iat":"now"})") == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":1700003600,"iat":-1.5})") == jwt_error::none);
  BOOST_TEST(with(R"({"sub":"a","exp":-5})") == jwt_error::expired);

  // Non-integer and exponent forms are truncated to whole seconds.
  jwt_verification v =
      jwt_verify(make_jwt(R"({"sub":"a","exp":1700003600.9,"iat":1.7e9})"), secret, iat);
  BOOST_TEST(v.ok());
  BOOST_TEST(v.claims.expires_at == 1700003600);
  BOOST_TEST(v.claims.issued_at == 1700000000);
  v = jwt_verify(make_jwt(R"({"sub":"a","exp":17000036E-1})"), secret, 0);
  BOOST_TEST(v.ok());
  BOOST_TEST(v.claims.expires_at == 1700003);
  // Large integers are taken exactly, not through a double.
  v = jwt_verify(make_jwt(R"({"sub":"a","exp":9007199254740993})"), secret, iat);
  BOOST_TEST(v.claims.expires_at == 9007199254740993);
  v = jwt_verify(make_jwt(R"({"sub":"a","exp":9223372036854775807})"), secret, iat);
  BOOST_TEST(v.claims.expires_at == 9223372036854775807);
}

BOOST_AUTO_TEST_CASE(json_reader_accepts_valid_json) {
  auto subject_of = [](const std::string& payload) {
    return jwt_verify(make_jwt(payload), secret, iat).claims.subject;
  };
  BOOST_TEST(subject_of(R"({"sub":"\u00e9\u20AC","exp":1700003600})") == "\xc3\xa9\xe2\x82\xac");
  BOOST_TEST(subject_of(R"({"sub":"\ud83d\ude00","exp":1700003600})") == "\xf0\x9f\x98\x80");
  BOOST_TEST(subject_of(R"({"sub":"\"\\\/\b\f\n\r\t","exp":1700003600})") == "\"\\/\b\f\n\r\t");
  BOOST_TEST(subject_of(R"({"sub":"a\u0000b","exp":1700003600})") == std::string("a\0b", 3));
  BOOST_TEST(subject_of(" \t\r\n{ \"sub\" :\n\"a\" , \"exp\"\t:\r1700003600 } \n") == "a");
  BOOST_TEST(subject_of(R"({"sub":"a","exp":1700003600,"t":true,"f":false,"n":null,)"
                        R"("o":{"x":[1,-2.5e+3,{"y":{}},[]],"z":"\ud83d\ude00"},"arr":[],"s":"s"})") ==
             "a");
  // Member names are compared after unescaping, and only top-level ones count.
  BOOST_TEST(subject_of(R"({"\u0073ub":"esc","exp":1700003600})") == "esc");
  BOOST_TEST(subject_of(R"({"o":{"sub":"inner"},"sub":"outer","exp":1700003600})") == "outer");
}

BOOST_AUTO_TEST_CASE(json_reader_rejects_invalid_json) {
  const std::vector<std::string> bad = {
      R"({"sub":"a","exp":1700003600,"sub":"b"})",        // duplicate member
      R"({"sub":"a","exp":1700003600,"\u0073ub":"b"})",   // duplicate after unescaping
      R"({"sub":"a","exp":1700003600,"o":{"k":1,"k":2}})", // nested duplicate
      R"({"sub":"a","exp":1700003600} x)",                 // trailing garbage
      R"({"sub":"a","exp":1700003600}{})",
      R"({"sub":"a","exp":1700003600,})",                  // trailing comma
      R"({"sub":"a" "exp":1700003600})",
      R"({"sub":"a","exp":01700003600})",                  // leading zero
      R"({"sub":"a","exp":+1700003600})",
      R"({"sub":"a","exp":1700003600.})",
      R"({"sub":"a","exp":.5})",
      R"({"sub":"a","exp":1e})",
      R"({"sub":"a","exp":-})",
      R"({"sub":"a","exp":NaN})",
      R"({"sub":"a","exp":1700003600,"x":tru})",
      R"({"sub":"a","exp":1700003600,"x":[1,]})",
      R"({"sub":"a","exp":1700003600,"x":[1 2]})",
      R"({"sub":"a","exp":1700003600,"x":{"y"}})",
      R"({"sub":"\ud83d","exp":1700003600})",              // lone high surrogate
      R"({"sub":"\ude00","exp":1700003600})",              // lone low surrogate
      R"({"sub":"\ud83d\u0041","exp":1700003600})",        // high surrogate + non-surrogate
      R"({"sub":"\u00G0","exp":1700003600})",
      R"({"sub":"\x","exp":1700003600})",
      R"({"sub":"\'","exp":1700003600})",
      "{\"sub\":\"a\tb\",\"exp\":1700003600}",              // raw control character
      "{\"sub\":\"\xff\",\"exp\":1700003600}",              // invalid UTF-8
      "{\"sub\":\"\xc3\",\"exp\":1700003600}",              // truncated UTF-8
      "{\"sub\":\"\xed\xa0\x80\",\"exp\":1700003600}",      // UTF-8-encoded surrogate
      R"({"sub":"a,"exp":1700003600})",
      R"({sub:"a","exp":1700003600})",
      R"({'sub':'a','exp':1700003600})",
      R"(["sub","a"])",                                    // not an object
      R"("sub")",
      "",
      "{\"sub\":\"a\",\"exp\":1700003600\f}",               // \f is not JSON whitespace
      std::string("{\"sub\":\"a\",\"exp\":1700003600}\0", 30),
      std::string(40, '[') + std::string(40, ']'),
  };
  for (const auto& payload : bad)
    BOOST_TEST(verify_at(make_jwt(payload)) == jwt_error::malformed, "payload " << payload);

  // Deep nesting is refused without blowing the stack.
  std::string deep = R"({"sub":"a","exp":1700003600,"x":)" + std::string(1000, '[') +
                     std::string(1000, ']') + "}";
  BOOST_TEST(verify_at(make_jwt(deep)) == jwt_error::malformed);
  std::string ok_depth = R"({"sub":"a","exp":1700003600,"x":)" + std::string(20, '[') +
                         std::string(20, ']') + "}";
  BOOST_TEST(verify_at(make_jwt(ok_depth)) == jwt_error::none);

  // The header goes through the same reader.
  const std::string claims = R"({"sub":"a","exp":1700003600})";
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS256","alg":"HS256"})", claims)) == jwt_error::malformed);
  BOOST_TEST(verify_at(make_token(R"({"alg":"none","alg":"HS256"})", claims)) == jwt_error::malformed);
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS256"}x)", claims)) == jwt_error::malformed);
  BOOST_TEST(verify_at(make_token(R"(["HS256"])", claims)) == jwt_error::malformed);
  BOOST_TEST(verify_at(make_token("", claims)) == jwt_error::malformed);
}

// Rules of the JSON reading that the cases above leave unpinned; each must hold whatever parser
// reads the token.
BOOST_AUTO_TEST_CASE(json_rules_at_their_edges) {
  const std::string pre = R"({"sub":"a","exp":1700003600,"x":)";
  // Nesting: 32 containers below the top-level object are read, 33 are refused, objects or arrays.
  BOOST_TEST(verify_at(make_jwt(pre + std::string(32, '[') + std::string(32, ']') + "}")) ==
             jwt_error::none);
  BOOST_TEST(verify_at(make_jwt(pre + std::string(33, '[') + std::string(33, ']') + "}")) ==
             jwt_error::malformed);
  std::string objects31;
  for (int i = 0; i < 31; ++i)
    objects31 += R"({"o":)";
  std::string objects32 = objects31 + R"({"o":)";
  BOOST_TEST(verify_at(make_jwt(pre + objects31 + "{}" + std::string(31, '}') + "}")) ==
             jwt_error::none);
  BOOST_TEST(verify_at(make_jwt(pre + objects32 + "{}" + std::string(32, '}') + "}")) ==
             jwt_error::malformed);

  const std::vector<std::string> bad = {
      pre + R"([{"k":1},{"k":2,"k":3}]})",        // duplicate inside an array's object
      pre + R"({"a":{"b":{"c":1,"\u0063":2}}}})", // deep duplicate, after unescaping
      pre + R"("\ud83d\ud83d"})",                 // high surrogate followed by a high one
      pre + R"(["\udfff"]})",                     // lone low surrogate in a nested string
      pre + R"("\u12"})",                         // truncated escape
      pre + "{\"\xff\":1}}",                      // invalid UTF-8 in a member name
      pre + "\"a\x1f\"}",                         // raw control character in a nested string
      pre + R"([01]})",                           // number grammar holds in nested values
      pre + "-01}", pre + "1.e5}", pre + "1e+}", pre + "Infinity}", pre + "-Infinity}",
      pre + "0x10}", pre + "nul}", pre + "True}", pre + "falsey}",
      R"({"sub":"a","exp":1700003600)",           // unterminated object
      R"({"sub":"a","exp":1700003600,"x":"open})", // unterminated string
      "42", "null", "true", "1700003600",          // JSON, but not an object
      "\n",                                        // whitespace only
  };
  for (const auto& payload : bad)
    BOOST_TEST(verify_at(make_jwt(payload)) == jwt_error::malformed, "payload " << payload);

  // Empty names and empty containers are JSON too.
  BOOST_TEST(verify_at(make_jwt(R"({"":1,"sub":"a","exp":1700003600,"e":{},"f":[]})")) ==
             jwt_error::none);

  // The header: nested duplicates and bad nested JSON are malformed, "alg" is compared after
  // unescaping, and "crit" refuses whatever its value.
  const std::string claims = R"({"sub":"a","exp":1700003600})";
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS256","x":{"k":1,"k":1}})", claims)) ==
             jwt_error::malformed);
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS256","x":[1,]})", claims)) == jwt_error::malformed);
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS\u0032\u0035\u0036"})", claims)) == jwt_error::none);
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS256","crit":null})", claims)) ==
             jwt_error::unsupported_algorithm);
  BOOST_TEST(verify_at(make_token(R"({"alg":"HS256","\u0063rit":["x"]})", claims)) ==
             jwt_error::unsupported_algorithm);
}

BOOST_AUTO_TEST_CASE(time_claims_at_the_int64_edges) {
  auto with = [](const std::string& payload) { return jwt_verify(make_jwt(payload), secret, iat + 10); };
  // Just above INT64_MAX: an integer a parser may keep as unsigned; it is still no time.
  BOOST_TEST(with(R"({"sub":"a","exp":9223372036854775808})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":18446744073709551615})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":18446744073709551616})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":-9223372036854775809})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":-9223372036854775808})").error == jwt_error::expired);
  BOOST_TEST(with(R"({"sub":"a","exp":9.3e18})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":-9.3e18})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":1e400})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":-0})").error == jwt_error::expired);
  BOOST_TEST(with(R"({"sub":"a","exp":{"t":1}})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":[1700003600]})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":null})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":1700003600,"iat":9223372036854775808})").error ==
             jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":1700003600,"nbf":1e19})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":"a","exp":1700003600,"nbf":null})").error == jwt_error::malformed);
  BOOST_TEST(with(R"({"sub":["a"],"exp":1700003600})").error == jwt_error::missing_subject);
  BOOST_TEST(with(R"({"sub":{"id":"a"},"exp":1700003600})").error == jwt_error::missing_subject);
  // The largest double below 2^63 still converts; negative fractions truncate toward zero.
  auto v = with(R"({"sub":"a","exp":9.2233720368547748e18,"iat":-1.9})");
  BOOST_TEST(v.ok());
  BOOST_TEST(v.claims.expires_at == 9223372036854774784);
  BOOST_TEST(v.claims.issued_at == -1);
}

BOOST_AUTO_TEST_CASE(mint_token_signs_now_plus_ttl) {
  // Both places that issue tokens (login, the `token` subcommand) mint them here.
  BOOST_TEST(mint_token("alice", iat, exp - iat, secret) == jwt_sign({"alice", iat, exp}, secret));
  jwt_verification v = jwt_verify(mint_token("alice", iat, 60, secret), secret, iat + 59);
  BOOST_TEST(v.ok());
  BOOST_TEST(v.claims.subject == "alice");
  BOOST_TEST(v.claims.issued_at == iat);
  BOOST_TEST(v.claims.expires_at == iat + 60);
  BOOST_TEST(verify_at(mint_token("alice", iat, 60, secret), iat + 60) == jwt_error::expired);
  // Tokens that could never verify are not minted.
  BOOST_TEST(mint_token("alice", iat, 0, secret).empty());
  BOOST_TEST(mint_token("alice", iat, -1, secret).empty());
  BOOST_TEST(mint_token("alice", INT64_MAX - 10, 11, secret).empty());
  BOOST_TEST(!mint_token("alice", INT64_MAX - 10, 10, secret).empty());
  BOOST_TEST(mint_token("", iat, 60, secret).empty());
  BOOST_TEST(mint_token("alice", iat, 60, std::string(31, 'k')).empty());
}

BOOST_AUTO_TEST_CASE(numbers_out_of_range_are_malformed_anywhere) {
  // The one rule simdjson adds to the old hand-written reader, which only grammar-checked numbers
  // outside the time claims: a number no double or 64-bit integer holds makes the whole token
  // malformed, wherever it is. Tokens we issue never carry one.
  for (const char* x : {"1e400", "-1e400", "99999999999999999999", "-99999999999999999999"})
    BOOST_TEST(verify_at(make_jwt(std::string(R"({"sub":"a","exp":1700003600,"x":)") + x + "}")) ==
                   jwt_error::malformed,
               "x " << x);
  // In range, unrelated numbers of any form are still fine.
  BOOST_TEST(verify_at(make_jwt(R"({"sub":"a","exp":1700003600,"x":[1e300,-1e-300,18446744073709551615]})")) ==
             jwt_error::none);
}

BOOST_AUTO_TEST_CASE(jws_layer_returns_the_payload) {
  std::string payload;
  std::string token = make_token(R"({"alg":"HS256"})", "not json at all");
  BOOST_TEST(jws_verify_hs256(token, secret, payload) == jwt_error::none);
  BOOST_TEST(payload == "not json at all");
  BOOST_TEST(jws_verify_hs256(token, secret + "x", payload) == jwt_error::bad_signature);
  BOOST_TEST(payload.empty());
}

BOOST_AUTO_TEST_CASE(error_names) {
  BOOST_TEST(std::string(to_string(jwt_error::none)) == "none");
  BOOST_TEST(std::string(to_string(jwt_error::malformed)) == "malformed");
  BOOST_TEST(std::string(to_string(jwt_error::unsupported_algorithm)) == "unsupported_algorithm");
  BOOST_TEST(std::string(to_string(jwt_error::bad_signature)) == "bad_signature");
  BOOST_TEST(std::string(to_string(jwt_error::expired)) == "expired");
  BOOST_TEST(std::string(to_string(jwt_error::not_yet_valid)) == "not_yet_valid");
  BOOST_TEST(std::string(to_string(jwt_error::missing_subject)) == "missing_subject");
}

// ---------------------------------------------------------------------------------------------
// Wycheproof (C2SP/wycheproof testvectors_v1, see shared/corpora/wycheproof-jws/SOURCE.md)

namespace {

std::filesystem::path corpora_dir() {
  if (const char* env = std::getenv("FORESIGHT_CORPORA_DIR"); env && *env)
    return env;
  return std::filesystem::path(FORESIGHT_SOURCE_DIR "/../shared/corpora");
}

struct jwk {
  std::string kty, alg, kid, k;
};

jwk read_jwk(simdjson::dom::element e) {
  jwk key;
  std::string_view sv;
  if (!e["kty"].get(sv))
    key.kty = sv;
  if (!e["alg"].get(sv))
    key.alg = sv;
  if (!e["kid"].get(sv))
    key.kid = sv;
  if (!e["k"].get(sv))
    key.k = sv;
  return key;
}

bool is_hs256(const jwk& key) { return key.kty == "oct" && key.alg == "HS256"; }

// The header's "kid", read with simdjson so the harness does not depend on the code under test.
std::string header_kid(const std::string& token, simdjson::dom::parser& parser) {
  std::string header;
  if (!base64url_decode(token.substr(0, token.find('.')), header))
    return {};
  simdjson::dom::element doc;
  std::string_view kid;
  if (parser.parse(header).get(doc) || doc["kid"].get(kid))
    return {};
  return std::string(kid);
}

// SOURCE.md, "Known upstream label problems": four labels in json_web_signature_test.json's
// HS256 `base64` group are wrong, so the test expects the RFC 7515 behaviour instead.
//  - 367 invalidBase64Padding, 370 invalidBase64PaddingInPayload: byte-identical to tcId 357
//    (ValidMac, valid) yet labelled invalid (C2SP/wycheproof#236); a correct verifier accepts them.
//  - 372, 373 InvalidCharacterInserted{Header,Payload}: contain '?' and carry 357's MAC, which does
//    not match the received bytes, yet labelled valid; a correct verifier rejects them.
const std::set<std::int64_t> overridden_to_valid = {367, 370};
const std::set<std::int64_t> overridden_to_invalid = {372, 373};
const std::string overridden_file = "json_web_signature_test.json";

} // namespace

BOOST_AUTO_TEST_CASE(wycheproof_hs256) {
  const std::filesystem::path dir = corpora_dir() / "wycheproof-jws";
  BOOST_TEST_REQUIRE(std::filesystem::is_directory(dir), "corpus directory " << dir);
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".json")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  BOOST_TEST_REQUIRE(!files.empty());

  int checked = 0;        // cases run through jws_verify_hs256
  int refused_key_sets = 0; // cases whose JWK set the harness refuses before any verification
  int overrides_seen = 0;
  simdjson::dom::parser parser;
  simdjson::dom::parser header_parser; // separate: parsing reuses a parser's document memory
  for (const auto& path : files) {
    const std::string file = path.filename().string();
    simdjson::dom::element doc;
    BOOST_TEST_REQUIRE(!parser.load(path.string()).get(doc), "parse " << file);
    simdjson::dom::array groups;
    BOOST_TEST_REQUIRE(!doc["testGroups"].get(groups), "testGroups in " << file);
    for (simdjson::dom::element group : groups) {
      simdjson::dom::element priv;
      if (group["private"].get(priv))
        continue; // HS256 groups are symmetric and carry the key in "private"
      // A single JWK or a JWK Set {"keys":[...]}.
      std::vector<jwk> keys;
      simdjson::dom::array key_array;
      if (!priv["keys"].get(key_array)) {
        for (simdjson::dom::element k : key_array)
          keys.push_back(read_jwk(k));
      } else {
        keys.push_back(read_jwk(priv));
      }
      if (std::none_of(keys.begin(), keys.end(), is_hs256))
        continue;

      // Key-set policy (SOURCE.md: tcIds 47 / 1 mix an HS256 secret with an EC key, tcId 4 has a
      // duplicate kid; their MACs are correct, so only the set can make them invalid). A verifier
      // configured with such a set is refused outright: mixing symmetric and asymmetric keys is
      // what algorithm confusion feeds on, and a duplicate kid makes key selection ambiguous.
      bool set_refused = !std::all_of(keys.begin(), keys.end(), is_hs256);
      std::set<std::string> kids;
      for (const auto& k : keys)
        if (!kids.insert(k.kid).second)
          set_refused = true;

      simdjson::dom::array tests;
      BOOST_TEST_REQUIRE(!group["tests"].get(tests));
      for (simdjson::dom::element test : tests) {
        std::int64_t tc_id = 0;
        std::string_view result, comment;
        BOOST_TEST_REQUIRE(!test["tcId"].get(tc_id));
        BOOST_TEST_REQUIRE(!test["result"].get(result));
        if (test["comment"].get(comment))
          comment = "";
        bool expect_valid = result == "valid";
        if (file == overridden_file && overridden_to_valid.count(tc_id)) {
          BOOST_TEST(!expect_valid); // the override is only needed while upstream stays wrong
          expect_valid = true;
          ++overrides_seen;
        } else if (file == overridden_file && overridden_to_invalid.count(tc_id)) {
          BOOST_TEST(expect_valid);
          expect_valid = false;
          ++overrides_seen;
        }
        // "jws" is normally a string; the JSON-serialisation case in json_web_crypto_test.json is
        // an object, passed on as its JSON text, which a compact-only verifier must refuse.
        std::string token;
        std::string_view sv;
        if (!test["jws"].get(sv))
          token = std::string(sv);
        else
          token = simdjson::minify(test["jws"].value());

        if (set_refused) {
          BOOST_CHECK_MESSAGE(!expect_valid, file << " tcId " << tc_id << " (" << comment
                                                  << "): refused key set but labelled valid");
          ++refused_key_sets;
          continue;
        }
        // Select the key: the only one, or (in a set) the one whose kid the header names.
        const jwk* key = keys.size() == 1 ? &keys[0] : nullptr;
        if (!key) {
          std::string kid = header_kid(token, header_parser);
          for (const auto& k : keys)
            if (k.kid == kid)
              key = &k;
        }
        BOOST_TEST_REQUIRE(key, file << " tcId " << tc_id << ": no key for the token's kid");
        std::string secret_bytes;
        BOOST_TEST_REQUIRE(base64url_decode(key->k, secret_bytes), "JWK k of tcId " << tc_id);

        std::string payload;
        jwt_error err = jws_verify_hs256(token, secret_bytes, payload);
        ++checked;
        BOOST_CHECK_MESSAGE((err == jwt_error::none) == expect_valid,
                            file << " tcId " << tc_id << " (" << comment << "): expected "
                                 << (expect_valid ? "valid" : "invalid") << ", got "
                                 << to_string(err));
      }
    }
  }
  BOOST_TEST_MESSAGE("Wycheproof HS256: " << checked << " verified, " << refused_key_sets
                                          << " refused by key-set policy");
  BOOST_TEST(checked >= 60);
  BOOST_TEST(overrides_seen == 4);
}

BOOST_AUTO_TEST_SUITE_END()
