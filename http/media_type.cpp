#include "http/media_type.hpp"

#include <cctype>

namespace foresight {

std::string media_type(std::string_view content_type) {
  std::string base(content_type.substr(0, content_type.find(';')));
  while (!base.empty() && (base.back() == ' ' || base.back() == '\t'))
    base.pop_back();
  for (auto& c : base)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return base;
}

} // namespace foresight
