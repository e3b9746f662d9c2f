#include "core/question_ranker.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "core/question_shape.hpp"
#include "core/suggestions.hpp"
#include "core/text_match.hpp"

namespace foresight {

namespace {

// Habits fade: a question asked three weeks ago counts half as much as one asked today.
constexpr double half_life_days = 21;
// How many questions of the user's own the crowd counts as (back-off weight): one, so that
// what the user asked even once leads, and the crowd speaks for those who asked nothing yet.
constexpr double crowd_prior = 1;
// How much a day-of-week habit adds to the plain frequency.
constexpr double weekday_share = 0.2;

double decay(std::int64_t now, std::int64_t at) {
  auto age_days = static_cast<double>(std::max<std::int64_t>(0, now - at)) / 86400.0;
  return std::exp2(-age_days / half_life_days);
}

/// The UTC day of the week, 0-6 (from any fixed origin: only equality matters).
int weekday(std::int64_t at) { return static_cast<int>(((at / 86400) % 7 + 7) % 7); }

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

/// What one candidate shape collects from each source. Its words are the user's latest wording
/// (`own`) or a text of its own (a carried follow-up, another user's question).
struct candidate {
  const asked_question* own = nullptr;
  std::string text, template_text, type;
  std::string normalised; ///< of `text` when it has one
  double base = 0, weekday = 0, opener = 0; ///< the user's own, weighted
  double follow = 0, role_follow = 0, crowd = 0;
  const char* crowd_origin = "role";
  std::string_view words() const { return own && text.empty() ? std::string_view(own->text) : text; }
};

/// generalise(), remembered per thread for the texts lists are made of: the same generated and
/// asked texts come back in request after request, and generalising them was most of a merge.
const generalised_query& generalised(const std::string& text, const catalog_index& index) {
  // Kept per index (by serial), a few indexes at a time: sessions and cache shards may use
  // different ones for one catalog, and clearing on every switch was costlier than the work.
  thread_local std::unordered_map<std::uint64_t, std::unordered_map<std::string, generalised_query>>
    by_index;
  if (by_index.size() > 8 && !by_index.count(index.serial()))
    by_index.clear();
  auto& known = by_index[index.serial()];
  if (known.size() > 8192)
    known.clear();
  auto i = known.find(text);
  if (i == known.end())
    i = known.emplace(text, generalise(text, index)).first;
  return i->second;
}

const char* describe(const std::string& origin) {
  if (origin == "history")
    return "One of your frequent questions";
  if (origin == "followup")
    return "What you usually ask next";
  if (origin == "similar")
    return "Asked by people with questions like yours";
  if (origin == "global")
    return "Popular with everyone";
  return "Common in your role";
}

} // namespace

bool is_strategy(const std::string& name) {
  return name == strategy_history || name == strategy_templates;
}

question_scores score_questions(const question_history& mine, const crowd_view& crowd,
                                std::int64_t now, const std::string& connection_id,
                                const catalog_index& index) {
  // Keys are views of shapes that outlive the call: the history's, or `owned_shapes`.
  std::unordered_map<std::string_view, candidate> by_shape;
  std::deque<std::string> owned_shapes;
  auto slot_for = [&](std::string shape) -> candidate& {
    if (auto i = by_shape.find(shape); i != by_shape.end())
      return i->second;
    owned_shapes.push_back(std::move(shape));
    return by_shape[owned_shapes.back()];
  };
  // -- the user's own questions on this connection, oldest first --
  std::vector<const asked_question*> asked;
  for (auto& q : mine.questions())
    if (q.connection_id == connection_id && q.at <= now + 60)
      asked.push_back(&q);
  double base_total = 0, weekday_total = 0, opener_total = 0;
  const asked_question* previous = nullptr;
  auto today = weekday(now);
  for (auto* q : asked) {
    auto w = decay(now, q->at);
    if (!q->success)
      w *= 0.6;
    if (q->rating >= 4)
      w *= 1.3;
    else if (q->rating > 0 && q->rating <= 2)
      w *= 0.4;
    auto& c = by_shape[q->shape];
    c.own = q; // the latest wording of the shape
    c.base += w;
    if (weekday(q->at) == today) {
      c.weekday += w;
      weekday_total += w;
    }
    if (!previous || q->at - previous->at > session_gap_seconds) {
      c.opener += w;
      opener_total += w;
    }
    previous = q;
  }
  for (auto& [shape, c] : by_shape) {
    if (auto clicks = mine.clicks(std::string(shape)))
      c.base *= 1.0 + 0.2 * std::min(clicks, 5);
    base_total += c.base;
  }

  const asked_question* last = asked.empty() ? nullptr : asked.back();
  bool in_session = last && now - last->at <= session_gap_seconds;

  // -- follow-ups: what came after the same question (or template) before --
  double follow_evidence = 0, follow_total = 0;
  if (in_session) {
    for (std::size_t i = 0; i + 1 < asked.size(); ++i) {
      auto* a = asked[i];
      auto* b = asked[i + 1];
      if (b->at - a->at > session_gap_seconds || b == last)
        continue;
      double m = a->shape == last->shape ? 1.0 : a->template_text == last->template_text ? 0.5 : 0;
      if (m == 0)
        continue;
      // What b kept of a, the prediction keeps of the last question.
      unsigned kinds = 0;
      for (int k = 0; k < slot_kinds; ++k) {
        auto* sa = first_slot(a->slots, static_cast<slot_kind>(k));
        auto* sb = first_slot(b->slots, static_cast<slot_kind>(k));
        if (sa && sb && sa->key == sb->key)
          kinds |= slot_bit(static_cast<slot_kind>(k));
      }
      auto w = m * decay(now, b->at);
      follow_total += w;
      follow_evidence += m;
      auto text = kinds ? carry_slots(b->text, b->slots, last->text, last->slots, kinds) : b->text;
      if (text == b->text) {
        by_shape[b->shape].follow += w;
        continue;
      }
      auto& c = slot_for(masked_shape(text));
      c.follow += w;
      if (!c.own && c.text.empty()) {
        c.text = std::move(text);
        c.template_text = b->template_text;
        c.type = b->type;
      }
    }
  }
  // The role's follow-ups after the last question's template, carried the same way.
  double role_follow_total = 0;
  if (in_session && crowd.followup_total > 0) {
    for (auto& f : crowd.followups) {
      auto text = f.carry ? carry_slots(f.text, find_slots(f.text, index), last->text,
                                        last->slots, f.carry)
                          : f.text;
      auto& c = slot_for(masked_shape(text));
      c.role_follow += f.weight;
      if (!c.own && c.text.empty()) {
        c.text = std::move(text);
        c.template_text = f.template_text;
      }
    }
    role_follow_total = crowd.followup_total;
  }

  // -- the crowd: role, similar users, everyone --
  struct source {
    const std::vector<crowd_question>* list;
    double total;
    double share;
    const char* origin;
  };
  source sources[] = {{&crowd.role, crowd.role_total, 0.55, "role"},
                      {&crowd.similar, crowd.similar_total, 0.25, "similar"},
                      {&crowd.global, crowd.global_total, 0.20, "global"}};
  double shares = 0;
  for (auto& s : sources)
    if (s.total > 0 && !s.list->empty())
      shares += s.share;
  if (shares > 0)
    for (auto& s : sources) {
      if (s.total <= 0 || s.list->empty())
        continue;
      for (auto& q : *s.list) {
        auto& c = slot_for(q.shape);
        if (!c.own && c.text.empty()) {
          c.text = q.text;
          c.normalised = q.normalised;
          c.template_text = q.template_text;
        }
        auto p = (s.share / shares) * q.weight / s.total;
        if (p > c.crowd)
          c.crowd_origin = s.origin;
        c.crowd += p;
      }
    }

  // -- mixing --
  double n = static_cast<double>(asked.size());
  double opener_share = in_session ? 0 : 0.5 * opener_total / (opener_total + 2.0);
  double follow_share = 0;
  if (in_session) {
    double role_evidence = role_follow_total > 0 ? std::min(1.0, role_follow_total / 5.0) : 0;
    follow_share = (follow_evidence + 0.5 * role_evidence) / (follow_evidence + 0.5 * role_evidence + 1.0);
  }
  question_scores out;
  out.reserve(by_shape.size());
  for (auto& [shape, c] : by_shape) {
    auto words = c.words();
    if (words.empty())
      continue;
    double user = 0;
    if (base_total > 0) {
      user = c.base / base_total;
      if (weekday_total > 0)
        user = (1 - weekday_share) * user + weekday_share * c.weekday / weekday_total;
      if (opener_share > 0)
        user = (1 - opener_share) * user + opener_share * c.opener / opener_total;
    }
    auto back = (n * user + crowd_prior * c.crowd) / (n + crowd_prior);
    double fol = 0;
    if (follow_share > 0) {
      double own = follow_total > 0 ? c.follow / follow_total : 0;
      double role = role_follow_total > 0 ? c.role_follow / role_follow_total : 0;
      double k = follow_evidence > 0 ? 1.0 / (follow_evidence + 1.0) : 1.0;
      fol = (1 - k) * own + k * role;
    }
    auto score = follow_share * fol + (1 - follow_share) * back;
    if (score <= 0)
      continue;
    auto from_user = (1 - follow_share) * n * user / (n + crowd_prior);
    auto from_crowd = (1 - follow_share) * crowd_prior * c.crowd / (n + crowd_prior);
    auto from_follow = follow_share * fol;
    scored_question q;
    q.score = score;
    q.origin = from_follow >= from_user && from_follow >= from_crowd ? "followup"
               : from_user >= from_crowd                              ? "history"
                                                                      : c.crowd_origin;
    q.text = std::string(words);
    q.shape = std::string(shape);
    if (c.own && c.text.empty()) {
      q.normalised = c.own->normalised;
      q.template_text = c.own->template_text;
      q.type = c.own->type;
    } else {
      q.normalised = c.normalised.empty() ? normalise_text(words) : c.normalised;
      q.template_text = c.template_text;
      q.type = c.type;
    }
    if (q.type.empty())
      q.type = "complete";
    out.push_back(std::move(q));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) {
    return a.score != b.score ? a.score > b.score : a.shape < b.shape;
  });
  return out;
}

std::vector<ranked_question> pick_questions(const question_scores& scores,
                                            const rank_request& req, const catalog_index& index) {
  // Excluded metrics drop questions below, so then all are kept until then.
  bool preferences = !req.excluded_metrics.empty() || !req.preferred_metrics.empty() ||
                     !req.preferred_dimensions.empty() || !req.preferred_types.empty();
  auto keep = preferences ? scores.size() : static_cast<std::size_t>(req.count);
  // What was typed: matching questions only, and those starting with it before the others
  // (worth more than any difference in likelihood); each group stays in score order.
  auto partial = normalise_text(req.partial);
  partial_matcher matcher(partial); // keeps a view of `partial`
  std::vector<const scored_question*> starting, containing;
  for (auto& q : scores) {
    if (starting.size() >= keep)
      break;
    if (partial.empty()) {
      starting.push_back(&q);
      continue;
    }
    auto m = matcher.match(q.normalised);
    if (m.matched)
      (m.prefix ? starting : containing).push_back(&q);
  }
  std::vector<ranked_question> ranked;
  for (auto* group : {&starting, &containing})
    for (auto* q : *group) {
      if (ranked.size() >= keep)
        break;
      ranked_question r;
      r.text = q->text;
      r.shape = q->shape;
      r.template_text = q->template_text;
      r.type = q->type;
      r.origin = q->origin;
      r.score = q->score;
      ranked.push_back(std::move(r));
    }

  // -- preferences --
  // Preferences reorder the likeliest twice the count (a preferred question far down the list
  // does not jump over the user's habits).
  std::vector<ranked_question> out;
  auto window = preferences ? 2 * req.count : req.count;
  for (auto& r : ranked) {
    if (static_cast<int>(out.size()) >= window)
      break;
    r.description = describe(r.origin);
    if (!preferences) {
      out.push_back(std::move(r));
      continue;
    }
    auto& g = generalised(r.text, index);
    bool excluded = false;
    for (auto& m : g.metrics)
      if (contains(req.excluded_metrics, m))
        excluded = true;
    if (excluded)
      continue;
    for (auto& m : g.metrics)
      r.preference += contains(req.preferred_metrics, m);
    for (auto& d : g.dimensions)
      r.preference += contains(req.preferred_dimensions, d);
    r.preference += contains(req.preferred_types, r.type);
    out.push_back(std::move(r));
  }
  // Preferred types, metrics and dimensions first; within each, the likelier first.
  std::stable_sort(out.begin(), out.end(),
                   [](auto& a, auto& b) { return (a.preference > 0) > (b.preference > 0); });
  if (static_cast<int>(out.size()) > req.count)
    out.resize(static_cast<std::size_t>(req.count));
  return out;
}

std::vector<ranked_question> rank_questions(const question_history& mine, const crowd_view& crowd,
                                            const rank_request& req, const catalog_index& index) {
  return pick_questions(score_questions(mine, crowd, req.now, req.connection_id, index), req,
                        index);
}

std::vector<suggestion> merge_suggestions(const std::vector<ranked_question>& ranked,
                                          const std::vector<suggestion>& generated, int count,
                                          const suggestion_preferences& prefs,
                                          const catalog_index& index) {
  struct item {
    suggestion s;
    bool preferred;
  };
  std::vector<item> items;
  // Shapes, and meanings (a template with its catalog names: "across regions" and "across
  // region" ask one thing), already listed; and templates.
  std::unordered_set<std::string> shapes, meanings, templates;
  auto meaning_of = [](const generalised_query& g) {
    auto key = g.template_text;
    for (auto* names : {&g.metrics, &g.dimensions, &g.entities})
      for (auto& n : *names)
        key.append("\n").append(n);
    return key;
  };
  for (auto& r : ranked) {
    if (static_cast<int>(items.size()) >= count)
      break;
    if (!shapes.insert(r.shape).second)
      continue;
    meanings.insert(meaning_of(generalised(r.text, index)));
    templates.insert(r.template_text);
    suggestion s;
    s.text = r.text;
    s.type = r.type;
    s.description = r.description;
    s.icon = icon_for(s.type);
    items.push_back({std::move(s), r.preference > 0});
  }
  // One template, one suggestion, while other questions are left: a template's variants crowd
  // them out. Then variants, so that the count asked for is still met.
  std::vector<bool> taken(generated.size(), false);
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < generated.size(); ++i) {
      auto& g = generated[i];
      if (static_cast<int>(items.size()) >= count || taken[i])
        continue;
      auto shape = masked_shape(g.text);
      if (shapes.count(shape))
        continue;
      auto& gen = generalised(g.text, index);
      if (pass == 0 && templates.count(gen.template_text))
        continue;
      taken[i] = true;
      if (!meanings.insert(meaning_of(gen)).second)
        continue;
      shapes.insert(std::move(shape));
      templates.insert(gen.template_text);
      int preference = contains(prefs.preferred_query_types, g.type);
      for (auto& m : gen.metrics)
        preference += contains(prefs.preferred_metrics, m);
      for (auto& d : gen.dimensions)
        preference += contains(prefs.preferred_dimensions, d);
      items.push_back({g, preference > 0});
    }
  std::stable_sort(items.begin(), items.end(),
                   [](auto& a, auto& b) { return a.preferred > b.preferred; });
  std::vector<suggestion> out;
  out.reserve(items.size());
  for (auto& i : items)
    out.push_back(std::move(i.s));
  return out;
}

} // namespace foresight
