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

/// A question the user may ask next, with its estimated chance, before anything is typed.
struct scored_question {
  std::string text, normalised, shape, template_text, type;
  const char* origin = "history"; ///< history, followup, role, similar or global
  double score = 0;
};
/// Every candidate, likeliest first.
using question_scores = std::vector<scored_question>;

/// The chances of the user's next questions at `now` on one connection. The costly half of
/// ranking, and the same for every keystroke: callers may keep it while the history, the crowd's
/// view and the session context hold.
question_scores score_questions(const question_history& mine, const crowd_view& crowd,
                                std::int64_t now, const std::string& connection_id,
                                const catalog_index& index);

/// At most `req.count` of them, best first: every one matches `req.partial` (those starting with
/// it first) and names no excluded metric; preferred ones lead. (Several of one template are
/// fine here: each is a question someone asked.)
std::vector<ranked_question> pick_questions(const question_scores& scores,
                                            const rank_request& req, const catalog_index& index);

/// pick_questions(score_questions(...)).
std::vector<ranked_question> rank_questions(const question_history& mine, const crowd_view& crowd,
                                            const rank_request& req, const catalog_index& index);

/// The list a user sees: the ranked questions first, then the generated ones (templates, catalog
/// rules, the LLM's) that ask something new, at most one per template while others are left;
/// preferred ones first; at most `count`.
std::vector<suggestion> merge_suggestions(const std::vector<ranked_question>& ranked,
                                          const std::vector<suggestion>& generated, int count,
                                          const suggestion_preferences& prefs,
                                          const catalog_index& index);

} // namespace foresight
