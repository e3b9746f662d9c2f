// Text from outside (an LLM's answer) that clients show as it is: one line of plain text.
#pragma once
#include <cstddef>
#include <string_view>

namespace foresight {

/// Longest suggestion text or description shown, in bytes.
constexpr std::size_t max_display_text_bytes = 200;

/// True if `text` may be shown to a user verbatim: valid UTF-8, not blank, at most `max_bytes`,
/// no control characters (C0, DEL, C1), no bidirectional or zero-width format characters (they
/// can make a text read differently from what it is) and no markup (`< > [ ] { } * \` and the
/// backtick), so a client rendering it as HTML or Markdown shows the same plain text.
bool is_displayable_text(std::string_view text, std::size_t max_bytes = max_display_text_bytes);

} // namespace foresight
