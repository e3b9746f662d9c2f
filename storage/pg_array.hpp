// PostgreSQL array literals, so a batch of rows can travel as one parameter per column and be
// read with unnest(): cheaper for the server than parsing the whole batch as one JSON document.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

/// Builds `{"a","b"}` from its elements one by one; every element is quoted, so any text
/// (including JSON for a jsonb[] parameter) round-trips exactly.
class pg_array_builder {
public:
  pg_array_builder& add(std::string_view text);
  pg_array_builder& add(std::int64_t number);
  /// The literal; the builder is empty afterwards.
  std::string take();

private:
  std::string out_ = "{";
};

} // namespace foresight
