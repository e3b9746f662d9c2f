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

/// The first word of `text`, lower-cased (what a user has typed after one word).
std::string first_word(std::string_view text);

} // namespace foresight
