// Where a question names its slots: the catalog's metrics, dimensions and entities, a filter
// value ("for EMEA") and a timeframe ("this quarter", "Q3 2026"), as spans of the text the user
// typed. A follow-up question usually keeps what the previous one was about, so the ranker makes
// follow-ups by carrying these spans from the previous question into the follow-up's wording.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/generaliser.hpp"

namespace foresight {

enum class slot_kind : int { metric = 0, dimension = 1, entity = 2, value = 3, timeframe = 4 };
constexpr int slot_kinds = 5;
constexpr unsigned slot_bit(slot_kind k) { return 1u << static_cast<int>(k); }

struct slot_span {
  slot_kind kind;
  std::size_t begin = 0, end = 0; ///< byte offsets into the text
  std::string key;                ///< catalog name, or the lower-cased words
};

/// The spans of `text`, in order.
std::vector<slot_span> find_slots(std::string_view text, const catalog_index& index);

/// The first span of a kind, or nullptr.
const slot_span* first_slot(const std::vector<slot_span>& spans, slot_kind kind);

/// `base` with the first span of each kind in `kinds` replaced by the first span of that kind in
/// `from` (as `from` spells it), where both have one and they differ. Unchanged otherwise.
std::string carry_slots(std::string_view base, const std::vector<slot_span>& base_spans,
                        std::string_view from, const std::vector<slot_span>& from_spans,
                        unsigned kinds);

} // namespace foresight
