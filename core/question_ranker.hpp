// The ranker: which questions a user is most likely to ask next, from their own history first
// (habits by masked shape, weighted by recency, success, ratings, clicks and the day of the
// week), what they usually ask right after the question they just asked (carrying its metric,
// dimension, filter value and timeframe), and, as far as their own history is thin, what their
// role, similar users and everyone ask. Pure: the session actor calls it for every suggestion
// request, since it costs microseconds and a cached list would miss the question just asked.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/crowd_book.hpp"
#include "core/model.hpp"
#include "core/question_history.hpp"

namespace foresight {

/// The named ranking strategies (the A/B experiment chooses among them).
constexpr const char* strategy_history = "history";     ///< this ranker, then templates and LLM
constexpr const char* strategy_templates = "templates"; ///< learned templates and LLM only
bool is_strategy(const std::string& name);

struct rank_request {
  std::int64_t now = 0; ///< seconds since the epoch
  std::string connection_id;
  std::string partial; ///< what the user has typed
  int count = 6;
  std::vector<std::string> excluded_metrics, preferred_metrics, preferred_dimensions,
    preferred_types;
};

struct ranked_question {
  std::string text, shape, template_text;
  std::string type;        ///< a suggestion type
  std::string origin;      ///< history, followup, role, similar or global
  std::string description; ///< why it is offered
  double score = 0;        ///< the estimated chance it is the next question
  int preference = 0;      ///< preferred metrics, dimensions and types it names
};

/// At most `req.count` questions, best first: every one matches `req.partial` and names no
/// excluded metric. (Several of one template are fine here: each is a question someone asked.)
std::vector<ranked_question> rank_questions(const question_history& mine, const crowd_view& crowd,
                                            const rank_request& req, const catalog_index& index);

/// The list a user sees: the ranked questions first, then the generated ones (templates, catalog
/// rules, the LLM's) that ask something new, at most one per template; preferred ones first.
std::vector<suggestion> merge_suggestions(const std::vector<ranked_question>& ranked,
                                          const std::vector<suggestion>& generated,
                                          const rank_request& req, const catalog_index& index);

} // namespace foresight
