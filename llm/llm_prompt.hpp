// What Foresight asks the LLM and how it reads the answer. Pure (no network): the prompt holds
// the preference-filtered catalog, the user's and the role's top templates and the partial query
// — never result rows and never anyone's raw query text.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/suggestions.hpp"

namespace foresight {

struct llm_prompt {
  std::string system;
  std::string user;
};

/// The two messages for one suggestion request.
llm_prompt build_suggestion_prompt(const suggestion_context& ctx);

/// Reads the model's JSON content: `{"suggestions":[{"text","type","description"}, ...]}`.
/// Entries that are not objects with a string `text` are skipped; false if the content is not
/// such a JSON object at all.
bool parse_llm_suggestions(std::string_view content, std::vector<suggestion>& out);

} // namespace foresight
