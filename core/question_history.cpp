#include "core/question_history.hpp"

#include <algorithm>
#include <ctime>

#include "core/question_shape.hpp"
#include "core/text_match.hpp"
#include "core/timestamp.hpp"

namespace foresight {

asked_question describe_question(std::int64_t id, std::int64_t at, std::string connection_id,
                                 std::string text, bool success, const catalog_index& index) {
  asked_question q;
  q.id = id;
  q.at = at;
  q.connection_id = std::move(connection_id);
  q.shape = masked_shape(text);
  q.normalised = normalise_text(text);
  auto g = generalise(text, index);
  q.template_text = std::move(g.template_text);
  // The suggestion types are the query types, but "complete" stands for a question of no type.
  q.type = g.type == query_type::other ? "complete" : to_string(g.type);
  for (auto& m : g.metrics)
    if (index.has_name(catalog_index::kind::metric, m))
      q.metrics.push_back(m);
  for (auto& d : g.dimensions)
    if (index.has_name(catalog_index::kind::dimension, d))
      q.dimensions.push_back(d);
  q.slots = find_slots(text, index);
  q.text = std::move(text);
  q.success = success;
  return q;
}

bool to_asked_question(const learned_activity& a, const catalog_index& index, asked_question& out) {
  if (a.activity_type != "query" || a.query_text.empty())
    return false;
  std::int64_t at = 0;
  if (!parse_iso8601(a.created_at, at))
    at = std::time(nullptr);
  auto r = assess_response(a.response_data_json);
  out = describe_question(a.id, at, a.connection_id, a.query_text,
                          r.success || a.response_data_json.empty(), index);
  return true;
}

bool question_history::knows(std::int64_t id) const {
  // Recent ids are at the back; imports are rare.
  for (auto i = questions_.rbegin(); i != questions_.rend(); ++i)
    if (i->id == id)
      return true;
  return false;
}

void question_history::add(asked_question q) {
  if (q.id != 0 && knows(q.id))
    return;
  ++version_;
  if (auto r = pending_ratings_.find(q.id); r != pending_ratings_.end()) {
    q.rating = r->second;
    pending_ratings_.erase(r);
  }
  if (questions_.empty() || questions_.back().at <= q.at) {
    questions_.push_back(std::move(q));
  } else {
    auto pos = std::upper_bound(questions_.begin(), questions_.end(), q.at,
                                [](std::int64_t at, const asked_question& x) { return at < x.at; });
    questions_.insert(pos, std::move(q));
  }
  while (questions_.size() > capacity_)
    questions_.pop_front();
}

void question_history::rate(std::int64_t activity_id, int rating) {
  ++version_;
  for (auto i = questions_.rbegin(); i != questions_.rend(); ++i)
    if (i->id == activity_id) {
      i->rating = rating;
      return;
    }
  if (pending_ratings_.size() < 1000)
    pending_ratings_[activity_id] = rating;
}

void question_history::redescribe(const std::string& connection_id, const catalog_index& index) {
  ++version_;
  for (auto& q : questions_) {
    if (q.connection_id != connection_id)
      continue;
    auto d = describe_question(q.id, q.at, q.connection_id, q.text, q.success, index);
    d.rating = q.rating;
    q = std::move(d);
  }
}

} // namespace foresight
