#include "core/question_ranker.hpp"

#include <algorithm>
#include <cmath>
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

int weekday(std::int64_t at) { return static_cast<int>(((at / 86400) % 7 + 11) % 7); }

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

/// What one candidate shape collects from each source.
struct candidate {
  std::string text, template_text, type;
  bool own = false;      ///< the text is the user's own wording
  bool carried = false;  ///< the text was made by carrying slots into a follow-up
  double user = 0, follow = 0, crowd = 0; ///< probabilities from each source
  const char* crowd_origin = "role";
};

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

std::vector<ranked_question> rank_questions(const question_history& mine, const crowd_view& crowd,
                                            const rank_request& req, const catalog_index& index) {
  std::unordered_map<std::string, candidate> by_shape;
  auto& now = req.now;

  // -- the user's own questions on this connection, oldest first --
  std::vector<const asked_question*> asked;
  for (auto& q : mine.questions())
    if (q.connection_id == req.connection_id && q.at <= now + 60)
      asked.push_back(&q);
  std::unordered_map<std::string, double> base, on_weekday, openers;
  double base_total = 0, weekday_total = 0, opener_total = 0;
  const asked_question* previous = nullptr;
  for (auto* q : asked) {
    auto w = decay(now, q->at);
    if (!q->success)
      w *= 0.6;
    if (q->rating >= 4)
      w *= 1.3;
    else if (q->rating > 0 && q->rating <= 2)
      w *= 0.4;
    base[q->shape] += w;
    if (weekday(q->at) == weekday(now))
      on_weekday[q->shape] += w;
    if (!previous || q->at - previous->at > session_gap_seconds)
      openers[q->shape] += w;
    auto& c = by_shape[q->shape];
    c.text = q->text; // the latest wording of the shape
    c.template_text = q->template_text;
    c.type = q->type;
    c.own = true;
    previous = q;
  }
  for (auto& [shape, w] : base) {
    if (auto clicks = mine.clicks(shape))
      w *= 1.0 + 0.2 * std::min(clicks, 5);
    base_total += w;
  }
  for (auto& kv : on_weekday)
    weekday_total += kv.second;
  for (auto& kv : openers)
    opener_total += kv.second;

  const asked_question* last = asked.empty() ? nullptr : asked.back();
  bool in_session = last && now - last->at <= session_gap_seconds;

  // -- follow-ups: what came after the same question (or template) before --
  double follow_evidence = 0, follow_total = 0;
  std::unordered_map<std::string, double> follow;
  if (in_session) {
    for (std::size_t i = 0; i + 1 < asked.size(); ++i) {
      auto* a = asked[i];
      auto* b = asked[i + 1];
      if (b->at - a->at > session_gap_seconds)
        continue;
      double m = a->shape == last->shape ? 1.0 : a->template_text == last->template_text ? 0.5 : 0;
      if (m == 0 || b == last)
        continue;
      // What b kept of a, the prediction keeps of the last question.
      unsigned kinds = 0;
      for (int k = 0; k < slot_kinds; ++k) {
        auto* sa = first_slot(a->slots, static_cast<slot_kind>(k));
        auto* sb = first_slot(b->slots, static_cast<slot_kind>(k));
        if (sa && sb && sa->key == sb->key)
          kinds |= slot_bit(static_cast<slot_kind>(k));
      }
      auto text = kinds ? carry_slots(b->text, b->slots, last->text, last->slots, kinds) : b->text;
      auto shape = text == b->text ? b->shape : masked_shape(text);
      auto w = m * decay(now, b->at);
      follow[shape] += w;
      follow_total += w;
      follow_evidence += m;
      auto& c = by_shape[shape];
      if (!c.own || text != b->text) {
        c.text = std::move(text);
        c.template_text = b->template_text;
        c.type = b->type;
        c.carried = c.carried || !c.own;
      }
    }
  }
  // The role's follow-ups after the last question's template, carried the same way.
  std::unordered_map<std::string, double> role_follow;
  double role_follow_total = 0;
  if (in_session && crowd.followup_total > 0) {
    for (auto& f : crowd.followups) {
      auto slots = find_slots(f.text, index);
      auto text = f.carry ? carry_slots(f.text, slots, last->text, last->slots, f.carry) : f.text;
      auto shape = masked_shape(text);
      role_follow[shape] += f.weight;
      auto& c = by_shape[shape];
      if (c.text.empty()) {
        c.text = std::move(text);
        c.template_text = f.template_text;
        c.carried = true;
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
        auto& c = by_shape[q.shape];
        if (c.text.empty()) {
          c.text = q.text;
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
  std::vector<ranked_question> ranked;
  ranked.reserve(by_shape.size());
  auto partial = normalise_text(req.partial);
  partial_matcher matcher(partial); // keeps a view of `partial`
  bool typed = !partial.empty();
  for (auto& [shape, c] : by_shape) {
    if (c.text.empty())
      continue;
    double user = 0;
    if (base_total > 0) {
      auto b = base.count(shape) ? base[shape] / base_total : 0.0;
      if (weekday_total > 0)
        b = (1 - weekday_share) * b +
            weekday_share * (on_weekday.count(shape) ? on_weekday[shape] / weekday_total : 0.0);
      if (opener_total > 0 && opener_share > 0)
        b = (1 - opener_share) * b +
            opener_share * (openers.count(shape) ? openers[shape] / opener_total : 0.0);
      user = b;
    }
    auto back = (n * user + crowd_prior * c.crowd) / (n + crowd_prior);
    double fol = 0;
    if (follow_share > 0) {
      double own = follow_total > 0 && follow.count(shape) ? follow[shape] / follow_total : 0;
      double role = role_follow_total > 0 && role_follow.count(shape)
                      ? role_follow[shape] / role_follow_total : 0;
      double k = follow_evidence > 0 ? 1.0 / (follow_evidence + 1.0) : 1.0;
      fol = (1 - k) * own + k * role;
    }
    auto score = follow_share * fol + (1 - follow_share) * back;
    if (score <= 0)
      continue;
    ranked_question r;
    r.text = c.text;
    r.shape = shape;
    r.template_text = c.template_text;
    r.type = c.type.empty() ? "complete" : c.type;
    r.score = score;
    auto from_user = (1 - follow_share) * n * user / (n + crowd_prior);
    auto from_crowd = (1 - follow_share) * crowd_prior * c.crowd / (n + crowd_prior);
    auto from_follow = follow_share * fol;
    r.origin = from_follow >= from_user && from_follow >= from_crowd ? "followup"
               : from_user >= from_crowd                              ? "history"
                                                                      : c.crowd_origin;
    ranked.push_back(std::move(r));
  }
  // -- what was typed: matching questions only, those starting with it first --
  if (typed) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      auto m = matcher.match(normalise_text(ranked[i].text));
      if (!m.matched)
        continue;
      // Starting with what was typed is worth more than any difference in frequency.
      ranked[i].score *= m.prefix ? 1000.0 : 1.0;
      if (kept != i)
        ranked[kept] = std::move(ranked[i]);
      ++kept;
    }
    ranked.resize(kept);
  }
  std::sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) {
    return a.score != b.score ? a.score > b.score : a.shape < b.shape;
  });

  // -- preferences --
  std::vector<ranked_question> out;
  bool preferences = !req.excluded_metrics.empty() || !req.preferred_metrics.empty() ||
                     !req.preferred_dimensions.empty() || !req.preferred_types.empty();
  for (auto& r : ranked) {
    if (static_cast<int>(out.size()) >= req.count * 2)
      break;
    r.description = describe(r.origin);
    if (!preferences) {
      out.push_back(std::move(r));
      continue;
    }
    auto g = generalise(r.text, index);
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

std::vector<suggestion> merge_suggestions(const std::vector<ranked_question>& ranked,
                                          const std::vector<suggestion>& generated,
                                          const rank_request& req, const catalog_index& index) {
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
    if (static_cast<int>(items.size()) >= req.count)
      break;
    if (!shapes.insert(r.shape).second)
      continue;
    meanings.insert(meaning_of(generalise(r.text, index)));
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
      if (static_cast<int>(items.size()) >= req.count || taken[i])
        continue;
      auto shape = masked_shape(g.text);
      if (shapes.count(shape))
        continue;
      auto gen = generalise(g.text, index);
      if (pass == 0 && templates.count(gen.template_text))
        continue;
      taken[i] = true;
      if (!meanings.insert(meaning_of(gen)).second)
        continue;
      shapes.insert(std::move(shape));
      templates.insert(gen.template_text);
      int preference = contains(req.preferred_types, g.type);
      for (auto& m : gen.metrics)
        preference += contains(req.preferred_metrics, m);
      for (auto& d : gen.dimensions)
        preference += contains(req.preferred_dimensions, d);
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
