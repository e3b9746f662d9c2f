// Suggestion generation. Candidates come from five origins, best first: the user's templates,
// completions of what the user typed, the role's templates, global ones, then catalog rules. Each
// candidate is matched against the partial query before it is built (candidate_sink), and every
// chosen one passes the same check (answerable), so no origin can show an excluded or unknown
// metric.
#include "core/suggestions.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <ctime>
#include <mutex>
#include <unordered_map>

#include <simdjson.h>

#include "core/ascii.hpp"
#include "core/display_text.hpp"
#include "core/json_writer.hpp"
#include "core/preferences.hpp"
#include "core/suggestion_type.hpp"
#include "core/text_match.hpp"

namespace foresight {

namespace {

// The user's own templates lead; completing what was typed comes next, before what others ask.
enum origin : int { from_llm = 0, user_pattern = 1, completion = 2, role_pattern = 3,
                    global_pattern_origin = 4, catalog_rule = 5 };

/// A memo candidate's answerable() result once some request asked (-1: not yet). Memos are shared
/// by threads, which may race to fill it in with the same value: relaxed atomics suffice.
class answer_cache {
public:
  answer_cache() = default;
  answer_cache(const answer_cache& o) : v_(o.get()) {}
  answer_cache& operator=(const answer_cache& o) {
    v_.store(o.get(), std::memory_order_relaxed);
    return *this;
  }
  signed char get() const { return v_.load(std::memory_order_relaxed); }
  void set(bool answerable) const { v_.store(answerable ? 1 : 0, std::memory_order_relaxed); }

private:
  mutable std::atomic<signed char> v_{-1};
};

struct candidate {
  suggestion s;
  int origin = catalog_rule;
  double score = 0; ///< within its origin, higher first
  std::string normalised; ///< the text as matched and deduplicated
  text_match m;           ///< against the partial query (not for the LLM's own entries)
  answer_cache answerable; ///< a memo's candidates only
};

/// A candidate as one request ranks it: built for the request or kept in a memo (not copied out
/// of it: most matched candidates are never chosen), with this request's match.
struct pick {
  const candidate* c;
  text_match m;
  bool kept_answer = false; ///< c->answerable holds for this request (a memo's, same catalog)
};

} // namespace

struct suggestion_memo::lists {
  /// Built once, then only read (but for the answerable caches), by any thread.
  struct kept {
    std::vector<candidate> candidates;
    candidate_set texts; ///< their normalised texts, matched all at once
    /// The index they were built with: their answerable() holds for requests with this index
    /// (pinned, so no other can take its address) and no excluded names the catalog lacks.
    std::shared_ptr<const catalog_index> index;
  };
  std::mutex mtx; ///< guards by_key; building and matching happen outside it
  std::unordered_map<std::string, std::shared_ptr<const kept>> by_key; ///< by memo_key
};

namespace {

std::string capitalise(std::string s) {
  if (!s.empty())
    s[0] = ascii_upper(static_cast<unsigned char>(s[0]));
  return s;
}

std::string phrase_of(const std::string& name, const std::string& display) {
  std::string p = display.empty() ? name : display;
  for (auto& c : p)
    c = c == '_' ? ' ' : ascii_lower(static_cast<unsigned char>(c));
  return p;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

const char* month_names[] = {"January", "February", "March",     "April",   "May",      "June",
                             "July",    "August",   "September", "October", "November", "December"};

std::string description_for(const std::string& type) {
  auto* t = find_suggestion_type(type);
  return std::string(t ? t->description : find_suggestion_type("complete")->description);
}

suggestion make(std::string text, const std::string& type, std::string description = {}) {
  suggestion s;
  s.text = capitalise(std::move(text));
  s.type = type;
  s.description = capitalise(description.empty() ? description_for(type) : std::move(description));
  s.icon = icon_for(type);
  return s;
}

/// Where generated candidates go. For a request, each text is matched against the partial query
/// first and only a match is built into a suggestion: most candidates of a miss (about seven in
/// eight) do not match, so their descriptions are never written. Without a matcher (filling a
/// suggestion_memo, before any partial query is known), every candidate is built.
class candidate_sink {
public:
  candidate_sink(const suggestion_context& ctx, std::vector<candidate>& out,
                 const partial_matcher* matcher)
    : matcher_(matcher), show_advanced_(ctx.preferences().show_advanced_queries), out_(out) {}

  /// `describe()` gives the description (empty: the type's), called only for a match.
  template <class Describe>
  void offer(std::string text, const std::string& type, int origin, double score, bool advanced,
             Describe&& describe) {
    if (advanced && !show_advanced_)
      return;
    auto normalised = normalise_text(text);
    text_match m;
    if (matcher_) {
      m = matcher_->match(normalised);
      if (!m.matched)
        return;
    }
    candidate c;
    c.s = make(std::move(text), type, describe());
    c.origin = origin;
    c.score = score;
    c.normalised = std::move(normalised);
    c.m = m;
    out_.push_back(std::move(c));
  }

private:
  const partial_matcher* matcher_;
  bool show_advanced_;
  std::vector<candidate>& out_;
};

/// Fills a learned template's placeholders; empty if one cannot be filled ({value} holds words
/// only the original asker knew).
std::string fill_template(const std::string& tmpl, const suggestion_context& ctx,
                          const std::vector<const suggestion_context::term*>& metrics,
                          const std::vector<const suggestion_context::term*>& dims,
                          const std::vector<const suggestion_context::term*>& ents) {
  std::string out;
  std::size_t mi = 0, di = 0, ei = 0;
  auto& today = ctx.today();
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] != '{') {
      out.push_back(tmpl[i++]);
      continue;
    }
    auto close = tmpl.find('}', i);
    if (close == std::string::npos)
      return {};
    auto name = tmpl.substr(i + 1, close - i - 1);
    i = close + 1;
    if (name == "metric") {
      if (mi >= metrics.size())
        return {};
      out += metrics[mi++]->phrase;
    } else if (name == "dimension") {
      if (di >= dims.size())
        return {};
      out += dims[di++]->phrase;
    } else if (name == "entity") {
      if (ei >= ents.size())
        return {};
      out += ents[ei++]->phrase;
    } else if (name == "N") {
      out += "10";
    } else if (name == "timeframe") {
      out += "the last 12 months";
    } else if (name == "year") {
      out += std::to_string(today.year);
    } else if (name == "quarter") {
      out += "Q" + std::to_string((today.month - 1) / 3 + 1);
    } else if (name == "month") {
      out += month_names[today.month - 1];
    } else if (name == "date") {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", today.year, today.month, today.day);
      out += buf;
    } else {
      return {};
    }
  }
  return out;
}

/// Terms for a template: those the user is typing, then the pattern's own, then the rest in
/// preference order; each at most once.
std::vector<const suggestion_context::term*>
pick_terms(const std::vector<suggestion_context::term>& terms, const std::vector<std::string>& own,
           std::size_t skip_first) {
  std::vector<const suggestion_context::term*> out;
  auto add = [&](const suggestion_context::term& t) {
    if (std::find(out.begin(), out.end(), &t) == out.end())
      out.push_back(&t);
  };
  for (auto& t : terms)
    if (t.mentioned)
      add(t);
  for (auto& name : own)
    for (auto& t : terms)
      if (t.name == name)
        add(t);
  for (auto& t : terms)
    add(t);
  if (skip_first > 0 && out.size() > 1)
    std::rotate(out.begin(), out.begin() + std::min(skip_first, out.size() - 1), out.end());
  return out;
}

/// The hints `keep` accepts (asked in their given order), best score first, each with its score:
/// scored once, not per comparison.
template <class Keep>
std::vector<std::pair<double, const pattern_hint*>> by_score(const std::vector<pattern_hint>& hints,
                                                             Keep&& keep) {
  std::vector<std::pair<double, const pattern_hint*>> sorted;
  for (auto& h : hints)
    if (keep(h))
      sorted.emplace_back(pattern_score(h), &h);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  return sorted;
}

void add_pattern_candidates(const suggestion_context& ctx, const std::vector<pattern_hint>& hints,
                            int origin, std::unordered_set<std::string>& seen_templates,
                            candidate_sink& out) {
  // A template the user (or role) already contributed would only fill the same texts again.
  auto sorted = by_score(hints, [&](const pattern_hint& h) {
    return seen_templates.insert(h.template_text).second;
  });
  std::string description;
  if (origin == user_pattern)
    description = "From your past questions";
  else if (origin == role_pattern)
    description = ctx.role().empty() ? "Popular in your role" : "Popular with " + ctx.role() + "s";
  else
    description = "Popular across teams";
  for (auto& [score, h] : sorted) {
    auto type = h->query_type;
    if (type != "ranking" && type != "trend" && type != "comparison" && type != "aggregation" &&
        type != "filter")
      type = "complete";
    // Two fills per template: with the best terms, and with the next metric for variety.
    for (std::size_t variant = 0; variant < 2; ++variant) {
      auto text = fill_template(h->template_text, ctx,
                                pick_terms(ctx.metrics(), h->metrics, variant),
                                pick_terms(ctx.dimensions(), h->dimensions, 0),
                                pick_terms(ctx.entities(), h->entities, 0));
      if (text.empty())
        break;
      bool advanced = std::count(h->template_text.begin(), h->template_text.end(), '{') >= 4;
      out.offer(std::move(text), type, origin, score - static_cast<double>(variant) * 1e-3,
                advanced, [&] { return description; });
      if (h->template_text.find("{metric}") == std::string::npos)
        break;
    }
  }
}

std::string aggregate_word(const std::string& aggregation) {
  if (aggregation == "avg" || aggregation == "average" || aggregation == "mean")
    return "average";
  if (aggregation == "count")
    return "count of";
  if (aggregation == "max")
    return "maximum";
  if (aggregation == "min")
    return "minimum";
  return "total";
}

void add_rule_candidates(const suggestion_context& ctx, candidate_sink& out) {
  auto& ms = ctx.metrics();
  auto& ds = ctx.dimensions();
  auto& es = ctx.entities();
  auto rule = [&](std::string text, const char* type, auto describe, double score,
                  bool advanced = false) {
    out.offer(std::move(text), type, catalog_rule, score, advanced, describe);
  };
  // Metrics the user is typing (or prefers) lead; every type gets a turn per metric, so that a
  // short list still shows variety.
  std::size_t metric_limit = std::min<std::size_t>(ms.size(), 4);
  for (std::size_t i = 0; i < metric_limit; ++i) {
    auto& m = ms[i];
    double score = -static_cast<double>(i);
    const auto* d = ds.empty() ? nullptr : &ds[i % ds.size()];
    const auto* d2 = ds.size() > 1 ? &ds[(i + 1) % ds.size()] : nullptr;
    if (!es.empty())
      rule("top 10 " + es[0].phrase + " by " + m.phrase, "ranking",
           [&] { return "The " + es[0].phrase + " with the highest " + m.phrase; }, score);
    else if (d)
      rule("rank " + d->phrase + " by " + m.phrase, "ranking",
           [&] { return "Which " + d->phrase + " leads on " + m.phrase; }, score);
    rule(m.phrase + " over the last 12 months", "trend",
         [&] { return "How " + m.phrase + " has moved"; }, score);
    if (d)
      rule("compare " + m.phrase + " across " + d->phrase, "comparison",
           [&] { return m.phrase + " side by side for each " + d->phrase; }, score);
    if (d)
      rule(aggregate_word(m.aggregation) + " " + m.phrase + " by " + d->phrase, "aggregation",
           [&] { return "One figure per " + d->phrase; }, score);
    rule(m.phrase + " for last quarter", "filter",
         [&] { return m.phrase + " in the last full quarter"; }, score);
    if (m.mentioned || ms.size() == 1)
      rule("show me " + m.phrase, "metric", [&] { return "The " + m.phrase + " metric"; }, score);
    if (d2)
      rule(m.phrase + " by " + d2->phrase, "dimension",
           [&] { return m.phrase + " broken down by " + d2->phrase; }, score);
    // Multi-step questions, only for users who asked for them.
    if (d && ctx.preferences().show_advanced_queries) {
      rule("compare " + m.phrase + " across " + d->phrase + " over the last 4 quarters",
           "comparison", [] { return std::string("Comparison and trend in one view"); }, score,
           true);
      if (!es.empty() && ms.size() > 1)
        rule("top 5 " + es[0].phrase + " by " + m.phrase + " and their " +
               ms[(i + 1) % ms.size()].phrase + " over the last 12 months",
             "ranking", [] { return std::string("Leaders and how they developed"); }, score, true);
    }
  }
}

/// Completions of the partial query itself: the word being typed finished, then a natural
/// continuation from the catalog.
void add_completions(const suggestion_context& ctx, candidate_sink& out) {
  const auto& partial = ctx.partial();
  if (partial.empty())
    return;
  auto words = split_words(partial);
  std::string base;
  for (std::size_t i = 0; i + 1 < words.size(); ++i)
    base.append(words[i]).push_back(' ');
  // Finish the last word from the catalog's vocabulary.
  std::string last(words.back());
  auto finish = [&](const std::vector<suggestion_context::term>& terms) {
    for (auto& t : terms)
      for (auto w : split_words(t.phrase))
        if (w != last && w.size() > last.size() && word_matches(last, w, true)) {
          last = std::string(w);
          return true;
        }
    return false;
  };
  finish(ctx.metrics()) || finish(ctx.dimensions()) || finish(ctx.entities());
  base += last;
  auto g = generalise(base, ctx.index());
  std::vector<std::string> texts;
  bool ends_open = last == "by" || last == "across" || last == "per" || last == "of" ||
                   last == "for" || last == "me" || last == "show";
  if (ends_open) {
    bool want_dimension = !g.metrics.empty() && (last == "by" || last == "across" || last == "per");
    auto& terms = want_dimension ? ctx.dimensions() : ctx.metrics();
    for (std::size_t i = 0; i < terms.size() && i < 3; ++i)
      texts.push_back(base + " " + terms[i].phrase);
  } else if (!g.metrics.empty()) {
    texts.push_back(base);
    if (g.dimensions.empty())
      for (std::size_t i = 0; i < ctx.dimensions().size() && i < 2; ++i)
        texts.push_back(base + " by " + ctx.dimensions()[i].phrase);
    if (g.type != query_type::trend)
      texts.push_back(base + " over the last 12 months");
  } else if (!g.entities.empty() || !g.dimensions.empty()) {
    for (std::size_t i = 0; i < ctx.metrics().size() && i < 2; ++i)
      texts.push_back(base + " by " + ctx.metrics()[i].phrase);
  }
  double score = 0;
  for (auto& t : texts)
    out.offer(std::move(t), "complete", completion, score--, false, [] { return std::string(); });
}

bool mentions_any(const std::string& normalised, const std::vector<suggestion_context::term>& ts) {
  for (auto& t : ts)
    if (t.preferred && (" " + normalised + " ").find(" " + t.phrase + " ") != std::string::npos)
      return true;
  return false;
}

/// Orders and trims matched candidates into the answer, dropping repeats and anything not
/// answerable from the catalog. `picks` are in generation order, the last tie-breaker.
std::vector<suggestion> select(const suggestion_context& ctx, const std::vector<pick>& picks,
                               std::size_t max) {
  auto& prefs = ctx.preferences();
  struct ranked {
    const pick* p;
    std::size_t order;
    bool preferred_type;
    bool preferred_term;
  };
  std::vector<ranked> rs;
  rs.reserve(picks.size());
  for (std::size_t i = 0; i < picks.size(); ++i) {
    auto& c = *picks[i].c;
    rs.push_back({&picks[i], i, contains(prefs.preferred_query_types, c.s.type),
                  mentions_any(c.normalised, ctx.metrics()) ||
                    mentions_any(c.normalised, ctx.dimensions())});
  }
  std::stable_sort(rs.begin(), rs.end(), [](const ranked& a, const ranked& b) {
    if (a.preferred_type != b.preferred_type)
      return a.preferred_type;
    if (a.preferred_term != b.preferred_term)
      return a.preferred_term;
    auto &ac = *a.p->c, &bc = *b.p->c;
    if (ac.origin != bc.origin)
      return ac.origin < bc.origin;
    if (a.p->m.prefix != b.p->m.prefix)
      return a.p->m.prefix;
    if (a.p->m.words != b.p->m.words)
      return a.p->m.words > b.p->m.words;
    if (ac.score != bc.score)
      return ac.score > bc.score;
    return a.order < b.order;
  });
  std::vector<suggestion> out;
  std::unordered_set<std::string_view> seen;
  for (auto& r : rs) {
    if (out.size() >= max)
      break;
    auto& c = *r.p->c;
    if (!seen.insert(c.normalised).second)
      continue;
    bool answerable;
    if (r.p->kept_answer) {
      auto known = c.answerable.get();
      answerable = known < 0 ? ctx.answerable(c.s.text) : known == 1;
      if (known < 0)
        c.answerable.set(answerable);
    } else {
      answerable = ctx.answerable(c.s.text);
    }
    if (!answerable)
      continue;
    out.push_back(c.s);
  }
  return out;
}

/// The candidates from learned templates and catalog rules, in their order.
void add_template_and_rule_candidates(const suggestion_context& ctx, candidate_sink& out) {
  std::unordered_set<std::string> seen_templates;
  add_pattern_candidates(ctx, ctx.patterns().user, user_pattern, seen_templates, out);
  add_pattern_candidates(ctx, ctx.patterns().role, role_pattern, seen_templates, out);
  add_pattern_candidates(ctx, ctx.patterns().global, global_pattern_origin, seen_templates, out);
  add_rule_candidates(ctx, out);
}

/// Everything the template and rule candidates depend on besides the patterns (which a memo is
/// tied to): the terms in their order, which ones the partial query mentions, the role, the
/// day and the advanced switch. Not the partial query's words.
std::string memo_key(const suggestion_context& ctx) {
  std::string key = ctx.role();
  key += '\x1f';
  key += std::to_string(ctx.today().year * 10000 + ctx.today().month * 100 + ctx.today().day);
  key += ctx.preferences().show_advanced_queries ? 'A' : 'a';
  for (auto* terms : {&ctx.metrics(), &ctx.dimensions(), &ctx.entities()}) {
    key += '\x1e';
    for (auto& t : *terms) {
      key.append(t.name).append(1, '\x1f').append(t.phrase).append(1, '\x1f');
      key.append(t.aggregation).append(1, t.mentioned ? '+' : '-');
    }
  }
  return key;
}

/// Every candidate without an LLM that matches the partial query, best origin first: those
/// built for this request are added to `own` (after what it holds, which is picked first), the
/// memo's are picked where they are. `picks` refer into both, so `own` must not change after, and
/// the memo's lists returned (null without a memo) must be held while `picks` are used: another
/// thread may drop them from the memo meanwhile.
std::shared_ptr<const suggestion_memo::lists::kept>
add_pattern_path_candidates(const suggestion_context& ctx, std::vector<candidate>& own,
                            std::vector<pick>& picks) {
  partial_matcher matcher(ctx.partial());
  candidate_sink matched(ctx, own, &matcher);
  add_completions(ctx, matched);
  auto* memo = ctx.memo();
  if (!memo)
    add_template_and_rule_candidates(ctx, matched);
  for (auto& c : own)
    picks.push_back({&c, c.m});
  if (!memo)
    return nullptr;
  auto& lists = memo->kept();
  auto key = memo_key(ctx);
  std::shared_ptr<const suggestion_memo::lists::kept> found;
  {
    std::lock_guard<std::mutex> lock{lists.mtx};
    if (auto i = lists.by_key.find(key); i != lists.by_key.end())
      found = i->second;
  }
  if (!found) {
    // Built outside the lock; when two threads build the same key at once, the first one kept
    // wins and the other's is dropped (they are equal).
    auto built = std::make_shared<suggestion_memo::lists::kept>();
    built->index = ctx.shared_index();
    candidate_sink every(ctx, built->candidates, nullptr);
    add_template_and_rule_candidates(ctx, every);
    for (auto& c : built->candidates)
      built->texts.add(c.normalised);
    std::lock_guard<std::mutex> lock{lists.mtx};
    // A handful of keys per patterns object in practice (the mentioned terms vary); bounded
    // anyway, as a memo lives as long as its patterns are in use. Requests holding an entry
    // keep it alive.
    if (lists.by_key.size() >= 64)
      lists.by_key.clear();
    found = lists.by_key.emplace(std::move(key), std::move(built)).first->second;
  }
  // Which texts are answerable depends on the catalog's index and the excluded metrics: the key
  // covers the catalog's excluded metrics (they are missing from its terms), not other names.
  bool kept_answer = found->index.get() == &ctx.index() && !ctx.excludes_unknown_names();
  thread_local std::vector<text_match> matches;
  found->texts.match_all(matcher, matches);
  for (std::size_t c = 0; c < matches.size(); ++c)
    if (matches[c].matched)
      picks.push_back({&found->candidates[c], matches[c], kept_answer});
  return found;
}

/// The answer from `own` (the request's candidates so far) and every pattern path candidate:
/// matched, then ranked and trimmed to the count. Holds the memo's lists while they are ranked.
std::vector<suggestion> choose(const suggestion_context& ctx, std::vector<candidate>& own) {
  std::vector<pick> picks;
  auto held = add_pattern_path_candidates(ctx, own, picks);
  return select(ctx, picks, static_cast<std::size_t>(ctx.count()));
}

std::size_t word_count(std::string_view normalised) {
  return split_words(normalised).size();
}

} // namespace

suggestion_memo::suggestion_memo() : kept_(std::make_unique<lists>()) {}
suggestion_memo::~suggestion_memo() = default;

const char* icon_for(std::string_view type) {
  auto* t = find_suggestion_type(type);
  // The table's icons are literals, so their views are NUL-terminated.
  return (t ? t : find_suggestion_type("complete"))->icon.data();
}

bool is_suggestion_type(std::string_view t) {
  return find_suggestion_type(t) != nullptr;
}

calendar_day calendar_day::today() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

double pattern_score(const pattern_hint& h) {
  // Frequency with diminishing returns, discounted by age (30-day half-life) and failure;
  // clicks and good ratings are explicit votes, so they weigh more than repetition.
  double recency = std::exp2(-std::max(0.0, h.age_days) / 30.0);
  double rating = h.ratings ? (double(h.rating_total) / double(h.ratings) - 3.0) / 2.0 : 0.0;
  return std::log1p(double(h.frequency)) * recency * (0.5 + 0.5 * h.success_rate) +
         0.5 * std::log1p(double(h.clicks)) + 0.5 * rating;
}

suggestion_context::suggestion_context(const connection_catalog& catalog,
                                       const suggestion_preferences& prefs,
                                       const pattern_hints& patterns,
                                       std::string_view partial_query, int count,
                                       std::string role, calendar_day today,
                                       std::shared_ptr<const catalog_index> index,
                                       suggestion_memo* memo)
  : catalog_(catalog),
    prefs_(prefs),
    patterns_(patterns),
    partial_(normalise_text(partial_query)),
    count_(count),
    role_(std::move(role)),
    today_(today),
    index_(index ? std::move(index) : std::make_shared<const catalog_index>(catalog)),
    memo_(memo) {
  for (auto& m : catalog.metrics) {
    // Excluded catalog metrics are caught by the index (longest phrase wins, so excluding
    // "profit" leaves "profit margin" alone); excluded names it does not know, by their words.
    if (is_excluded_metric(prefs, m.name) || is_excluded_metric(prefs, m.display_name))
      excluded_catalog_.insert(m.name);
    else
      metrics_.push_back({m.name, phrase_of(m.name, m.display_name), m.aggregation});
  }
  for (auto& e : prefs.excluded_metrics) {
    bool known = false;
    for (auto& m : catalog.metrics)
      known = known || same_metric_name(e, m.name) || same_metric_name(e, m.display_name);
    if (!known) {
      excluded_phrases_.push_back(normalise_text(e));
      excluded_phrases_.push_back(normalise_text(phrase_of(e, {})));
    }
  }
  for (auto& d : catalog.dimensions)
    dimensions_.push_back({d.name, phrase_of(d.name, d.display_name), {}});
  for (auto& e : catalog.entities)
    entities_.push_back({e.name, phrase_of(e.name, e.display_name), {}});
  order_terms(metrics_, prefs.preferred_metrics);
  order_terms(dimensions_, prefs.preferred_dimensions);
  order_terms(entities_, {});
}

void suggestion_context::order_terms(std::vector<term>& terms,
                                     const std::vector<std::string>& preferred) {
  // The typed words that carry meaning, with whether each is still being typed.
  std::vector<std::pair<std::string_view, bool>> typed;
  auto all_typed = split_words(partial_);
  for (std::size_t i = 0; i < all_typed.size(); ++i)
    if (!is_filler_word(all_typed[i]))
      typed.emplace_back(all_typed[i], i + 1 == all_typed.size());
  for (auto& t : terms) {
    for (auto& p : preferred)
      if (p == t.name || normalise_text(p) == normalise_text(t.phrase))
        t.preferred = true;
    auto words = split_words(t.phrase);
    for (auto& [typed_word, typing] : typed) {
      if (t.mentioned)
        break;
      for (auto w : words)
        if (word_matches(typed_word, w, typing)) {
          t.mentioned = true;
          break;
        }
    }
  }
  // Mentioned, then preferred (in the order the user listed them), then catalog order.
  auto pref_rank = [&](const term& t) {
    for (std::size_t i = 0; i < preferred.size(); ++i)
      if (preferred[i] == t.name || normalise_text(preferred[i]) == normalise_text(t.phrase))
        return i;
    return preferred.size();
  };
  std::stable_sort(terms.begin(), terms.end(), [&](const term& a, const term& b) {
    if (a.mentioned != b.mentioned)
      return a.mentioned;
    return pref_rank(a) < pref_rank(b);
  });
}

bool suggestion_context::names_excluded(std::string_view normalised) const {
  if (excluded_phrases_.empty())
    return false;
  std::string padded = " " + std::string(normalised) + " ";
  for (auto& e : excluded_phrases_)
    if (!e.empty() && padded.find(" " + e + " ") != std::string::npos)
      return true;
  return false;
}

bool suggestion_context::answerable(std::string_view text) const {
  auto norm = normalise_text(text);
  if (norm.empty() || names_excluded(norm))
    return false;
  auto g = generalise(text, *index_);
  for (auto& m : g.metrics)
    if (!index_->has_name(catalog_index::kind::metric, m) || excluded_catalog_.count(m))
      return false;
  for (auto& d : g.dimensions)
    if (!index_->has_name(catalog_index::kind::dimension, d))
      return false;
  for (auto& e : g.entities)
    if (!index_->has_name(catalog_index::kind::entity, e))
      return false;
  return !g.metrics.empty() || !g.dimensions.empty() || !g.entities.empty();
}

std::vector<suggestion> generate_suggestions(const suggestion_context& ctx) {
  std::vector<candidate> own;
  return choose(ctx, own);
}

std::vector<suggestion> merge_llm_suggestions(const suggestion_context& ctx,
                                              const std::vector<suggestion>& llm, int& usable) {
  std::vector<candidate> cands;
  usable = 0;
  std::unordered_set<std::string> seen;
  for (auto& s : llm) {
    auto norm = normalise_text(s.text);
    auto words = word_count(norm);
    if (words == 0 || words >= 15 || !is_displayable_text(s.text) || !ctx.answerable(s.text) ||
        !seen.insert(norm).second)
      continue;
    candidate c;
    auto type = is_suggestion_type(s.type) ? s.type : std::string("complete");
    // The model's spacing, capitalisation and punctuation are kept; only runs of space go.
    std::string text;
    for (auto w : split_words(std::string_view(s.text)))
      text.append(text.empty() ? "" : " ").append(w);
    // A description that may not be shown as it is gives way to the type's own.
    c.s = make(std::move(text), type,
               is_displayable_text(s.description) ? s.description : std::string());
    c.origin = from_llm;
    c.score = -static_cast<double>(cands.size());
    c.normalised = std::move(norm); // the model's answer is not matched against the partial query
    cands.push_back(std::move(c));
  }
  usable = static_cast<int>(cands.size());
  if (static_cast<int>(cands.size()) > ctx.count())
    cands.resize(static_cast<std::size_t>(ctx.count()));
  return choose(ctx, cands);
}

std::vector<std::string> template_texts(const std::vector<pattern_hint>& hints, std::size_t max) {
  std::vector<std::string> out;
  for (auto& [score, h] : by_score(hints, [](const pattern_hint&) { return true; })) {
    if (out.size() >= max)
      break;
    out.push_back(h->template_text);
  }
  return out;
}

std::string suggestions_json(const std::vector<suggestion>& items) {
  json_writer w;
  w.begin_array();
  for (auto& s : items)
    w.begin_object()
      .key("text").value(s.text)
      .key("type").value(s.type)
      .key("description").value(s.description)
      .key("icon").value(s.icon)
      .end_object();
  w.end_array();
  return w.take();
}

std::string_view suggestions_json_of(const suggestion_list& l, std::string& scratch) {
  if (!l.suggestions_json.empty())
    return l.suggestions_json;
  scratch = suggestions_json(l.suggestions);
  return scratch;
}

bool parse_suggestions_json(std::string_view json, std::vector<suggestion>& out) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::array items;
  if (parser.parse(json.data(), json.size()).get(items))
    return false;
  for (auto item : items) {
    std::string_view text, type, description;
    if (item["text"].get(text) || item["type"].get(type))
      return false;
    if (item["description"].get(description))
      description = {};
    out.push_back(make(std::string(text), std::string(type), std::string(description)));
  }
  return true;
}

void read_pattern_metadata(std::string_view json, pattern_hint& h) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size()).get(obj))
    return;
  std::string_view type;
  if (!obj["query_type"].get(type))
    h.query_type.assign(type);
  auto list = [&](const char* name, std::vector<std::string>& out) {
    simdjson::dom::array arr;
    if (obj[name].get(arr))
      return;
    for (auto e : arr) {
      std::string_view v;
      if (!e.get(v))
        out.emplace_back(v);
    }
  };
  list("metrics", h.metrics);
  list("dimensions", h.dimensions);
  list("entities", h.entities);
  auto number = [&](const char* name, std::int64_t& out) {
    std::int64_t v = 0;
    if (!obj[name].get(v))
      out = v;
  };
  number("clicks", h.clicks);
  number("ratings", h.ratings);
  number("rating_total", h.rating_total);
}

} // namespace foresight
