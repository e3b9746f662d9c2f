// base64url / base64: one encoder and one strict decoder, parameterised by the alphabet.
#include "core/base64url.hpp"

#include <array>
#include <cstdint>

namespace foresight {

namespace {

constexpr std::string_view url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view std_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t invalid = 0xFF;

// 256-entry reverse table, built at compile time so decoding is a plain lookup.
constexpr std::array<std::uint8_t, 256> reverse_table(std::string_view alphabet) {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table)
    v = invalid;
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  return table;
}

constexpr auto url_table = reverse_table(url_alphabet);
constexpr auto std_table = reverse_table(std_alphabet);

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                      static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                      static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out.push_back(alphabet[n >> 18 & 63]);
    out.push_back(alphabet[n >> 12 & 63]);
    out.push_back(alphabet[n >> 6 & 63]);
    out.push_back(alphabet[n & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    out.push_back(alphabet[n >> 18 & 63]);
    out.push_back(alphabet[n >> 12 & 63]);
    if (pad)
      out += "==";
  } else if (rest == 2) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                      static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(alphabet[n >> 18 & 63]);
    out.push_back(alphabet[n >> 12 & 63]);
    out.push_back(alphabet[n >> 6 & 63]);
    if (pad)
      out.push_back('=');
  }
  return out;
}

// Decodes unpadded text (padding, if any, has already been stripped by the caller).
bool decode_unpadded(std::string_view text, const std::array<std::uint8_t, 256>& table,
                     std::string& out) {
  // One leftover character carries only 6 bits, which cannot form a byte: never a valid encoding.
  if (text.size() % 4 == 1)
    return false;
  out.clear();
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    std::uint8_t v = table[static_cast<unsigned char>(c)];
    if (v == invalid)
      return false;
    acc = (acc << 6 | v) & 0xFFFFFF; // at most 3 bytes are ever pending
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>(acc >> bits & 0xFF));
    }
  }
  // The bits left over (2 or 4) must be zero, otherwise several texts decode to the same bytes
  // and a signature over the text would no longer pin the decoded value.
  return (acc & ((1u << bits) - 1)) == 0;
}

} // namespace

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, url_alphabet, false);
}

bool base64url_decode(std::string_view text, std::string& out) {
  return decode_unpadded(text, url_table, out);
}

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, std_alphabet, true);
}

bool base64_decode(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0)
    return false;
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=')
    ++pad;
  // Stripping at most two '=' leaves any other '=' in the body, where the table rejects it; the
  // length check in decode_unpadded rejects "x===" style over-padding (size % 4 == 1).
  return decode_unpadded(text.substr(0, text.size() - pad), std_table, out);
}

} // namespace foresight
