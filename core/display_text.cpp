// is_displayable_text: one pass over the UTF-8, decoding only what is needed to see the
// characters it refuses.
#include "core/display_text.hpp"

#include <simdjson.h>

namespace foresight {

namespace {

bool is_markup(unsigned char c) {
  switch (c) {
    case '<': case '>': case '[': case ']': case '{': case '}': case '*': case '\\': case '`':
      return true;
    default:
      return false;
  }
}

/// U+00xx controls, and the format characters that reorder or hide text.
bool is_refused_code_point(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

} // namespace

bool is_displayable_text(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes || !simdjson::validate_utf8(text.data(), text.size()))
    return false;
  bool blank = true;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    // Valid UTF-8: the lead byte gives the length.
    std::size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (std::size_t k = 1; k < len; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    if (is_refused_code_point(cp) || (len == 1 && is_markup(c)))
      return false;
    blank = blank && cp == ' ';
    i += len;
  }
  return !blank;
}

} // namespace foresight
