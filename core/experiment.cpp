#include "core/experiment.hpp"

#include <cstdint>

#include "core/question_ranker.hpp"
#include "core/stable_hash.hpp"

namespace foresight {

bool parse_experiment(std::string_view spec, std::vector<experiment_arm>& arms,
                      std::string& error) {
  arms.clear();
  while (!spec.empty()) {
    auto comma = spec.find(',');
    auto item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    auto colon = item.find(':');
    experiment_arm arm;
    arm.strategy = std::string(item.substr(0, colon));
    if (!is_strategy(arm.strategy)) {
      error = "unknown strategy '" + arm.strategy + "' (history or templates)";
      return false;
    }
    for (auto& a : arms)
      if (a.strategy == arm.strategy) {
        error = "strategy '" + arm.strategy + "' named twice";
        return false;
      }
    if (colon != std::string_view::npos) {
      auto digits = item.substr(colon + 1);
      long long w = 0;
      for (char c : digits) {
        if (c < '0' || c > '9' || w > 1000000) {
          w = -1;
          break;
        }
        w = w * 10 + (c - '0');
      }
      if (digits.empty() || w < 1 || w > 1000000) {
        error = "weight of '" + arm.strategy + "' must be 1-1000000";
        return false;
      }
      arm.weight = static_cast<int>(w);
    }
    arms.push_back(std::move(arm));
  }
  return true;
}

const std::string& arm_for(const std::vector<experiment_arm>& arms, std::string_view user_id) {
  auto h = fnv1a64(user_id, fnv1a64_legacy_basis);
  std::uint64_t total = 0;
  for (auto& a : arms)
    total += static_cast<std::uint64_t>(a.weight);
  auto at = h % total;
  for (auto& a : arms) {
    if (at < static_cast<std::uint64_t>(a.weight))
      return a.strategy;
    at -= static_cast<std::uint64_t>(a.weight);
  }
  return arms.back().strategy;
}

} // namespace foresight
