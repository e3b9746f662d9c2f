#include "core/rendezvous.hpp"

#include "core/stable_hash.hpp"

namespace foresight {

std::uint64_t rendezvous_weight(std::string_view node, std::string_view key) {
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  return mix64(fnv1a64(key, fnv1a64("\x1f", fnv1a64(node))));
}

std::string rendezvous_owner(std::string_view key, const std::vector<std::string>& nodes) {
  const std::string* best = nullptr;
  std::uint64_t best_weight = 0;
  for (auto& n : nodes) {
    auto w = rendezvous_weight(n, key);
    if (!best || w > best_weight || (w == best_weight && n < *best)) {
      best = &n;
      best_weight = w;
    }
  }
  return best ? *best : std::string{};
}

std::string agreed_owner(std::string_view key, const std::vector<std::string>& live,
                         std::string_view self,
                         const std::unordered_map<std::string, std::string>& their_choices) {
  auto mine = rendezvous_owner(key, live);
  for (auto& id : live) {
    if (id == self)
      continue;
    auto theirs = their_choices.find(id);
    if (theirs == their_choices.end() || theirs->second != mine)
      return {};
  }
  return mine;
}

} // namespace foresight
