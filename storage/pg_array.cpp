// pg_array: quoting per PostgreSQL's array input syntax (backslash before '"' and '\').
#include "storage/pg_array.hpp"

#include <utility>

namespace foresight {

pg_array_builder& pg_array_builder::add(std::string_view text) {
  if (out_.size() > 1)
    out_.push_back(',');
  out_.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\')
      out_.push_back('\\');
    out_.push_back(c);
  }
  out_.push_back('"');
  return *this;
}

pg_array_builder& pg_array_builder::add(std::int64_t number) {
  if (out_.size() > 1)
    out_.push_back(',');
  out_ += std::to_string(number);
  return *this;
}

std::string pg_array_builder::take() {
  out_.push_back('}');
  return std::exchange(out_, "{");
}

} // namespace foresight
