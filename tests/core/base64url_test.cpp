// Tests for the base64url / base64 codecs: RFC 4648 vectors, round trips and strict rejection.
#include "core/base64url.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace foresight;

namespace {

// RFC 4648 section 10, with the padded (standard) encodings.
const std::vector<std::pair<std::string, std::string>> rfc4648_vectors = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},       {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

std::string unpadded(std::string s) {
  while (!s.empty() && s.back() == '=')
    s.pop_back();
  return s;
}

bool url_rejects(const std::string& text) {
  std::string out;
  return !base64url_decode(text, out);
}

bool std_rejects(const std::string& text) {
  std::string out;
  return !base64_decode(text, out);
}

} // namespace

BOOST_AUTO_TEST_SUITE(base64url)

BOOST_AUTO_TEST_CASE(rfc4648_standard_alphabet) {
  for (const auto& [plain, encoded] : rfc4648_vectors) {
    BOOST_TEST(base64_encode(plain) == encoded);
    std::string out = "garbage"; // decoding replaces, never appends
    BOOST_TEST(base64_decode(encoded, out));
    BOOST_TEST(out == plain);
  }
}

BOOST_AUTO_TEST_CASE(rfc4648_url_alphabet_without_padding) {
  for (const auto& [plain, encoded] : rfc4648_vectors) {
    BOOST_TEST(base64url_encode(plain) == unpadded(encoded));
    std::string out = "garbage";
    BOOST_TEST(base64url_decode(unpadded(encoded), out));
    BOOST_TEST(out == plain);
  }
}

BOOST_AUTO_TEST_CASE(alphabets_differ_in_62_and_63) {
  const std::string bytes("\xfb\xef\xbe\xff\xff\xff\xfb\xff", 8);
  BOOST_TEST(base64_encode(bytes) == "++++////+/8=");
  BOOST_TEST(base64url_encode(bytes) == "----____-_8");
  std::string out;
  BOOST_TEST(base64url_decode("----____-_8", out));
  BOOST_TEST(out == bytes);
  BOOST_TEST(base64_decode("++++////+/8=", out));
  BOOST_TEST(out == bytes);
  // Each decoder refuses the other alphabet's two special characters.
  BOOST_TEST(url_rejects("++++"));
  BOOST_TEST(url_rejects("////"));
  BOOST_TEST(std_rejects("----"));
  BOOST_TEST(std_rejects("____"));
}

BOOST_AUTO_TEST_CASE(round_trip_all_byte_values_and_lengths) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  // Every prefix length exercises all three remainders (0, 1, 2 bytes in the last group).
  for (std::size_t n = 0; n <= all.size(); ++n) {
    std::string bytes = all.substr(0, n);
    std::string url = base64url_encode(bytes);
    std::string std64 = base64_encode(bytes);
    BOOST_TEST(url.find('=') == std::string::npos);
    BOOST_TEST(std64.size() % 4 == 0u);
    std::string out;
    BOOST_TEST(base64url_decode(url, out));
    BOOST_TEST(out == bytes);
    BOOST_TEST(base64_decode(std64, out));
    BOOST_TEST(out == bytes);
  }
  // Also reversed, so high bytes land in every position.
  std::string rev(all.rbegin(), all.rend());
  std::string out;
  BOOST_TEST(base64url_decode(base64url_encode(rev), out));
  BOOST_TEST(out == rev);
}

BOOST_AUTO_TEST_CASE(url_rejects_padding) {
  BOOST_TEST(url_rejects("Zg=="));
  BOOST_TEST(url_rejects("Zg="));
  BOOST_TEST(url_rejects("Zm8="));
  BOOST_TEST(url_rejects("="));
  BOOST_TEST(url_rejects("===="));
}

BOOST_AUTO_TEST_CASE(url_rejects_whitespace_and_bad_characters) {
  BOOST_TEST(url_rejects(" Zm9v"));
  BOOST_TEST(url_rejects("Zm9v "));
  BOOST_TEST(url_rejects("Zm 9v"));
  BOOST_TEST(url_rejects("Zm9v\n"));
  BOOST_TEST(url_rejects("Zm\t9v"));
  BOOST_TEST(url_rejects("Zm9v\r\n"));
  BOOST_TEST(url_rejects("Zm9?"));
  BOOST_TEST(url_rejects("Zm9#"));
  BOOST_TEST(url_rejects("Zm9."));
  BOOST_TEST(url_rejects("Zm9v!A"));
  BOOST_TEST(url_rejects(std::string("Zm\0v", 4)));
  BOOST_TEST(url_rejects("Zm\xc3\xa9v"));
}

BOOST_AUTO_TEST_CASE(url_rejects_impossible_length) {
  BOOST_TEST(url_rejects("Z"));
  BOOST_TEST(url_rejects("Zm9vY"));
  BOOST_TEST(url_rejects("Zm9vYmFyZ"));
}

BOOST_AUTO_TEST_CASE(url_rejects_non_zero_trailing_bits) {
  // "Zg" is "f"; "Zh".."Zv" carry the same byte with non-zero unused bits.
  std::string out;
  BOOST_TEST(base64url_decode("Zg", out));
  BOOST_TEST(url_rejects("Zh"));
  BOOST_TEST(url_rejects("Zv"));
  // "Zm8" is "fo"; "Zm9" differs only in the two unused bits.
  BOOST_TEST(base64url_decode("Zm8", out));
  BOOST_TEST(url_rejects("Zm9"));
  BOOST_TEST(url_rejects("AB"));  // the non-canonical payload of Wycheproof tcId 375
  BOOST_TEST(base64url_decode("AA", out));
  BOOST_TEST(out == std::string(1, '\0'));
}

BOOST_AUTO_TEST_CASE(standard_requires_padding) {
  BOOST_TEST(std_rejects("Zg"));
  BOOST_TEST(std_rejects("Zg="));
  BOOST_TEST(std_rejects("Zm8"));
  BOOST_TEST(std_rejects("Zg==="));
  BOOST_TEST(std_rejects("Z==="));
  BOOST_TEST(std_rejects("===="));
  BOOST_TEST(std_rejects("Zg==Zg=="));  // padding in the middle
  BOOST_TEST(std_rejects("Z=g="));
}

BOOST_AUTO_TEST_CASE(standard_rejects_whitespace_bad_characters_and_trailing_bits) {
  BOOST_TEST(std_rejects(" Zg=="));
  BOOST_TEST(std_rejects("Zg==\n"));
  BOOST_TEST(std_rejects("Zm9v\nYmFy"));
  BOOST_TEST(std_rejects("Zm9-"));
  BOOST_TEST(std_rejects("Zm9_"));
  BOOST_TEST(std_rejects("Zh=="));
  BOOST_TEST(std_rejects("Zm9="));
}

BOOST_AUTO_TEST_SUITE_END()
