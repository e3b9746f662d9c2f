// A/B testing of ranking strategies: an experiment names arms (strategies with weights), and each
// user is assigned to one arm deterministically, so a user sees one strategy for as long as the
// experiment stands, and impressions and clicks can be counted per arm.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

struct experiment_arm {
  std::string strategy; ///< a ranking strategy (is_strategy)
  int weight = 1;       ///< share of users, relative to the other arms
};

/// Parses "history:50,templates:50" (weights 1-1000000, each strategy once; a bare name weighs
/// 1). An empty spec is no experiment. False, with `error`, on anything else.
bool parse_experiment(std::string_view spec, std::vector<experiment_arm>& arms,
                      std::string& error);

/// The user's arm: FNV-1a of the user id over the total weight, so the same user gets the same
/// arm on every node and after every restart. `arms` must not be empty.
const std::string& arm_for(const std::vector<experiment_arm>& arms, std::string_view user_id);

} // namespace foresight
