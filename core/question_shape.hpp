// The masked shape of a question: what stays the same when a user asks "the same question"
// again with other numbers or dates. Two questions are one habit when their shapes are equal;
// the eval counts a hit on the same rule (bench/eval.py's `mask`).
#pragma once
#include <string>
#include <string_view>

namespace foresight {

/// Lower case, runs of space as one, trailing ?.! gone; then years become {year}, quarters
/// (q1-q4, "first quarter") {quarter}, month names and abbreviations {month}, and any other
/// number (1,000  3.5  10k  15%  $20) {n}.
std::string masked_shape(std::string_view text);

/// The words masking replaces, each lower case: a year (19xx, 20xx), a quarter (q1-q4), a month
/// name or abbreviation, a number ("10", "1,000", "3.5", "$20", "15%", "10k", "2024-03-01").
/// Slot detection uses the same classes, so a slot's period is what the shape masks.
bool is_year_word(std::string_view w);
bool is_quarter_word(std::string_view w);
bool is_month_word(std::string_view w);
bool is_number_word(std::string_view w);

/// The first word of `text`, lower-cased (what a user has typed after one word).
std::string first_word(std::string_view text);

} // namespace foresight
