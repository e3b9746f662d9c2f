// Reading a suggestion list (the suggestions routes' answer) in integration tests.
#pragma once
#include <cctype>
#include <string>

#include "tests/integration/http_client.hpp"
#include "tests/integration/json_assert.hpp"

namespace foresight::testing {

/// True if any suggestion text contains `word` as a whole word (case-insensitive), not followed
/// by " margin" (profit margin is a different metric from profit). Throws on an answer that is
/// no list.
inline bool any_mentions(const http_reply& r, const std::string& word) {
  auto n = std::stoi(json_at(r.body, "/count"));
  for (int i = 0; i < n; ++i) {
    auto t = json_at(r.body, "/suggestions/" + std::to_string(i) + "/text");
    for (auto& c : t)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    t = " " + t + " ";
    for (auto at = t.find(" " + word); at != std::string::npos; at = t.find(" " + word, at + 1)) {
      auto rest = t.substr(at + 1 + word.size());
      if ((rest[0] == ' ' || rest[0] == 's') && rest.rfind(" margin", 0) != 0)
        return true;
    }
  }
  return false;
}

} // namespace foresight::testing
