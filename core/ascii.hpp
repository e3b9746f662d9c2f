// ASCII character classes for text that is UTF-8: bytes from 0x80 up are never letters, digits
// or spaces here, whatever the C locale says. Inline, because the text matchers call them for
// every character of every suggestion candidate, where the <cctype> calls (out of line, through
// the locale tables) were a tenth of a miss's time.
#pragma once

namespace foresight {

constexpr bool is_ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ascii_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_ascii_alnum(unsigned char c) { return is_ascii_digit(c) || is_ascii_alpha(c); }
constexpr bool is_ascii_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
constexpr char ascii_lower(unsigned char c) {
  return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}
constexpr char ascii_upper(unsigned char c) {
  return static_cast<char>(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c);
}

} // namespace foresight
