// Tests for password hashing: PBKDF2 known answers, the stored format, and strict parsing.
#include "core/password_hash.hpp"

#include "core/base64url.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace foresight;

namespace {

constexpr int fast = 1000; // the minimum count keeps the tests quick

std::vector<std::string> split_dollars(const std::string& s) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    std::size_t d = s.find('$', start);
    fields.push_back(s.substr(start, d - start));
    if (d == std::string::npos)
      return fields;
    start = d + 1;
  }
}

// Written independently with Python's hashlib.pbkdf2_hmac and base64.b64encode:
// password "correct horse", salt "0123456789abcdef", 1000 iterations.
const std::string python_stored =
    "pbkdf2_sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg==$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M=";

} // namespace

// The suite name declares a namespace `password_hash`, so the function is qualified below.
BOOST_AUTO_TEST_SUITE(password_hash)

BOOST_AUTO_TEST_CASE(rfc7914_pbkdf2_sha256_vectors) {
  // RFC 7914 section 11.
  BOOST_TEST(hex_encode(pbkdf2_sha256("passwd", "salt", 1, 64)) ==
             "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
             "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  BOOST_TEST(hex_encode(pbkdf2_sha256("Password", "NaCl", 80000, 64)) ==
             "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
             "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
  // Empty password (Python hashlib), and a prefix property: shorter keys are prefixes.
  BOOST_TEST(hex_encode(pbkdf2_sha256("", "saltsalt", 1000, 32)) ==
             "3e0661ee06a100bed97329d06f71c16ab8ca76a14b7dc1fe6ad3f29ae3efffdb");
  BOOST_TEST(pbkdf2_sha256("passwd", "salt", 1, 16) == pbkdf2_sha256("passwd", "salt", 1, 64).substr(0, 16));
}

BOOST_AUTO_TEST_CASE(pbkdf2_rejects_bad_parameters) {
  BOOST_TEST(pbkdf2_sha256("p", "salt", 0, 32).empty());
  BOOST_TEST(pbkdf2_sha256("p", "salt", -1, 32).empty());
  BOOST_TEST(pbkdf2_sha256("p", "salt", 1, 0).empty());
}

BOOST_AUTO_TEST_CASE(right_and_wrong_password) {
  std::string stored = foresight::password_hash("correct horse battery staple", fast);
  BOOST_TEST(password_verify("correct horse battery staple", stored));
  BOOST_TEST(!password_verify("correct horse battery stapler", stored));
  BOOST_TEST(!password_verify("Correct horse battery staple", stored));
  BOOST_TEST(!password_verify("", stored));
  // Passwords are bytes: embedded NULs and non-ASCII count.
  std::string odd("p\0w\xc3\xa9", 5);
  std::string odd_stored = foresight::password_hash(odd, fast);
  BOOST_TEST(password_verify(odd, odd_stored));
  BOOST_TEST(!password_verify("p", odd_stored));
  BOOST_TEST(password_verify("", foresight::password_hash("", fast)));
}

BOOST_AUTO_TEST_CASE(independently_computed_hash_verifies) {
  BOOST_TEST(password_verify("correct horse", python_stored));
  BOOST_TEST(!password_verify("correct horsE", python_stored));
}

BOOST_AUTO_TEST_CASE(salt_makes_hashes_differ) {
  std::string a = foresight::password_hash("same password", fast);
  std::string b = foresight::password_hash("same password", fast);
  BOOST_TEST(a != b);
  BOOST_TEST(split_dollars(a)[2] != split_dollars(b)[2]);
  BOOST_TEST(password_verify("same password", a));
  BOOST_TEST(password_verify("same password", b));
}

BOOST_AUTO_TEST_CASE(format_fields) {
  std::string stored = foresight::password_hash("pw", fast);
  auto f = split_dollars(stored);
  BOOST_TEST_REQUIRE(f.size() == 4u);
  BOOST_TEST(f[0] == "pbkdf2_sha256");
  BOOST_TEST(f[1] == "1000");
  std::string salt, key;
  BOOST_TEST(f[2].size() == 24u); // 16 bytes, padded standard base64
  BOOST_TEST(base64_decode(f[2], salt));
  BOOST_TEST(salt.size() == 16u);
  BOOST_TEST(f[3].size() == 44u); // 32 bytes
  BOOST_TEST(base64_decode(f[3], key));
  BOOST_TEST(key.size() == 32u);
  BOOST_TEST(key == pbkdf2_sha256("pw", salt, fast, 32));
}

BOOST_AUTO_TEST_CASE(iteration_count_is_honoured) {
  std::string stored = foresight::password_hash("pw", 2500);
  auto f = split_dollars(stored);
  BOOST_TEST(f[1] == "2500");
  std::string salt, key;
  BOOST_TEST(base64_decode(f[2], salt));
  BOOST_TEST(base64_decode(f[3], key));
  BOOST_TEST(key == pbkdf2_sha256("pw", salt, 2500, 32));
  BOOST_TEST(key != pbkdf2_sha256("pw", salt, 2499, 32));
  BOOST_TEST(password_verify("pw", stored));
  // Changing the recorded count makes verification recompute a different key.
  std::string altered = f[0] + "$2501$" + f[2] + "$" + f[3];
  BOOST_TEST(!password_verify("pw", altered));
  // Counts password_verify would refuse are never written.
  BOOST_TEST(foresight::password_hash("pw", min_pbkdf2_iterations - 1).empty());
  BOOST_TEST(foresight::password_hash("pw", 0).empty());
  BOOST_TEST(foresight::password_hash("pw", -5).empty());
  BOOST_TEST(foresight::password_hash("pw", max_pbkdf2_iterations + 1).empty());
}

BOOST_AUTO_TEST_CASE(default_iterations) {
  std::string stored = foresight::password_hash("default strength");
  BOOST_TEST(split_dollars(stored)[1] == std::to_string(default_pbkdf2_iterations));
  BOOST_TEST(split_dollars(stored)[1] == "600000");
  BOOST_TEST(password_verify("default strength", stored));
}

BOOST_AUTO_TEST_CASE(malformed_stored_strings_are_rejected) {
  const std::string salt = "MDEyMzQ1Njc4OWFiY2RlZg==";
  const std::string key = "cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M=";
  const std::vector<std::string> bad = {
      "",
      "pbkdf2_sha256",
      "pbkdf2_sha256$1000$" + salt,
      "pbkdf2_sha256$1000$" + salt + "$" + key + "$",
      "pbkdf2_sha256$1000$" + salt + "$" + key + "$extra",
      "$1000$" + salt + "$" + key,
      "pbkdf2_sha1$1000$" + salt + "$" + key,
      "PBKDF2_SHA256$1000$" + salt + "$" + key,
      "pbkdf2_sha256$$" + salt + "$" + key,
      "pbkdf2_sha256$999$" + salt + "$" + key,          // below the minimum
      "pbkdf2_sha256$0$" + salt + "$" + key,
      "pbkdf2_sha256$-1000$" + salt + "$" + key,
      "pbkdf2_sha256$+1000$" + salt + "$" + key,
      "pbkdf2_sha256$01000$" + salt + "$" + key,        // leading zero
      "pbkdf2_sha256$1000 $" + salt + "$" + key,
      "pbkdf2_sha256$1e3$" + salt + "$" + key,
      "pbkdf2_sha256$10000001$" + salt + "$" + key,     // above the maximum
      "pbkdf2_sha256$99999999999999999999$" + salt + "$" + key,
      "pbkdf2_sha256$1000$$" + key,                     // empty salt
      "pbkdf2_sha256$1000$c2FsdA==$" + key,             // 4-byte salt, too short
      "pbkdf2_sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg$" + key, // unpadded
      "pbkdf2_sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg-_$" + key,
      "pbkdf2_sha256$1000$" + salt + "$",               // empty key
      "pbkdf2_sha256$1000$" + salt + "$" + key.substr(0, 40), // truncated key
      "pbkdf2_sha256$1000$" + salt + "$" + key + "AAAA",      // 35-byte key
      "pbkdf2_sha256$1000$" + salt + "$ " + key,
      "pbkdf2_sha256$1000$" + salt + "$" + key + "\n",
  };
  for (const auto& s : bad)
    BOOST_TEST(!password_verify("correct horse", s), "stored " << s);
  // The unmodified string is accepted, so the rejections above come from the damage.
  BOOST_TEST(password_verify("correct horse", "pbkdf2_sha256$1000$" + salt + "$" + key));
}

BOOST_AUTO_TEST_CASE(random_bytes_and_hex) {
  BOOST_TEST(random_bytes(0).empty());
  BOOST_TEST(random_bytes(1).size() == 1u);
  std::string a = random_bytes(32), b = random_bytes(32);
  BOOST_TEST(a.size() == 32u);
  BOOST_TEST(a != b);
  BOOST_TEST(hex_encode("") == "");
  BOOST_TEST(hex_encode(std::string("\x00\x01\x7f\x80\xab\xff", 6)) == "00017f80abff");
  BOOST_TEST(hex_encode(a).size() == 64u);
}

BOOST_AUTO_TEST_CASE(an_unmatchable_hash_is_well_formed_costs_the_same_and_matches_nothing) {
  auto dummy = unmatchable_password_hash(2000);
  BOOST_TEST(password_hash_iterations(dummy) == 2000);
  BOOST_TEST(dummy != unmatchable_password_hash(2000), "fresh salt and key each time");
  for (auto* guess : {"", "password", "correct horse"})
    BOOST_TEST(!password_verify(guess, dummy));
  BOOST_TEST(password_hash_iterations(foresight::password_hash("x", 1500)) == 1500);
  BOOST_TEST(password_hash_iterations("pbkdf2_sha256$abc$c2FsdA==$a2V5") == 0);
  BOOST_TEST(password_hash_iterations("") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
