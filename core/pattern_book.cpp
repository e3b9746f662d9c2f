// pattern_book: the shard's bookkeeping, free of actors and SQL.
#include "core/pattern_book.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>

namespace foresight {

pattern_book::pattern_book(const pattern_shard_state& state)
  : shard_(state.shard),
    generation_(state.generation),
    watermark_(state.watermark),
    saved_watermark_(state.watermark) {
  for (auto& row : state.rows)
    patterns_[pattern_key{row.type, row.target, row.template_text}] = from_row(row);
}

void pattern_book::set_catalog(const connection_catalog& c) {
  catalogs_[c.id] = catalog_index(c);
}

const catalog_index& pattern_book::catalog_for(const std::string& connection_id) const {
  auto i = catalogs_.find(connection_id);
  return i == catalogs_.end() ? no_catalog_ : i->second;
}

bool pattern_book::apply(const learned_activity& a) {
  if (a.id <= watermark_)
    return false; // replayed and then delivered live, or delivered twice: counted once
  watermark_ = a.id;
  // Every shard sees every activity: finding its own targets first is far cheaper than
  // generalising the text.
  std::array<std::pair<std::string_view, std::string_view>, 3> own;
  std::size_t owned = 0;
  for_each_target(a, [&](std::string_view type, std::string_view target) {
    if (shard_of(type, target) == shard_)
      own[owned++] = {type, target};
  });
  if (owned == 0)
    return false;
  const std::string* text = nullptr;
  if (a.activity_type == "query")
    text = &a.query_text;
  else if (a.activity_type == "suggestion_click")
    text = &a.suggestion_clicked;
  else if (a.activity_type == "feedback" && a.feedback_rating > 0)
    text = &a.rated_query_text;
  if (!text || text->empty())
    return true;
  auto g = generalise(*text, catalog_for(a.connection_id));
  if (g.template_text.empty())
    return true;
  // Assessed once for all of the shard's keys (parsing the response is the costly part).
  std::optional<response_assessment> response;
  for (std::size_t t = 0; t < owned; ++t) {
    auto [type, target] = own[t];
    pattern_key key{std::string(type), std::string(target), g.template_text};
    if (a.activity_type == "query") {
      auto [i, created] = patterns_.try_emplace(key);
      auto& s = i->second;
      if (a.id <= s.learned_through)
        continue; // the stored row already holds it (saved as a new pattern after the watermark)
      if (!response)
        response = assess_response(a.response_data_json);
      // Only the user's own pattern keeps an example: colleagues never see each other's queries.
      bool new_user = apply_query(s, a, *response, to_string(g.type), g.metrics, g.dimensions,
                                  g.entities, key.type == user_specific);
      if (new_user)
        unsaved_users_[&*i].insert(a.user_id);
      if (created)
        unstored_.insert(&*i);
      s.learned_through = a.id;
      dirty_.insert(&*i);
    } else {
      // Clicks and ratings credit a pattern the user already has; they never create one.
      auto i = patterns_.find(key);
      if (i == patterns_.end() || a.id <= i->second.learned_through)
        continue;
      if (a.activity_type == "suggestion_click") {
        i->second.clicks += 1;
      } else {
        i->second.ratings += 1;
        i->second.rating_total += a.feedback_rating;
      }
      i->second.learned_through = a.id;
      dirty_.insert(&*i);
    }
  }
  return true;
}

pattern_shard_state pattern_book::take(const key_set& keys, std::int64_t watermark) {
  pattern_shard_state out;
  out.shard = shard_;
  out.generation = generation_;
  out.watermark = watermark;
  for (auto* entry : keys) {
    auto& key = entry->first;
    auto row = to_row(key, entry->second);
    auto fresh = unsaved_users_.find(entry);
    row.users.clear(); // the others are stored already
    if (fresh != unsaved_users_.end()) {
      row.users.assign(fresh->second.begin(), fresh->second.end());
      unsaved_users_.erase(fresh);
    }
    out.rows.push_back(std::move(row));
  }
  // In key order, as before the hash maps: saves and their tests see a stable order.
  std::sort(out.rows.begin(), out.rows.end(), [](const pattern_row& a, const pattern_row& b) {
    return std::tie(a.type, a.target, a.template_text) < std::tie(b.type, b.target, b.template_text);
  });
  return out;
}

pattern_shard_state pattern_book::take_changes() {
  auto out = take(dirty_, watermark_);
  dirty_.clear();
  unstored_.clear();
  return out;
}

pattern_shard_state pattern_book::take_new_patterns() {
  auto out = take(unstored_, saved_watermark_);
  for (auto& key : unstored_)
    dirty_.erase(key);
  unstored_.clear();
  return out;
}

void pattern_book::restore_changes(const pattern_shard_state& failed) {
  for (auto& row : failed.rows) {
    auto& entry = *patterns_.try_emplace({row.type, row.target, row.template_text}).first;
    dirty_.insert(&entry);
    unstored_.insert(&entry);
    unsaved_users_[&entry].insert(row.users.begin(), row.users.end());
  }
}

} // namespace foresight
