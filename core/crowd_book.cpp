#include "core/crowd_book.hpp"

#include <algorithm>
#include <cmath>

#include "core/question_shape.hpp"

namespace foresight {

namespace {

std::string scope_key(const std::string& connection_id, const std::string& role) {
  return connection_id + '\n' + role;
}

/// Users whose askers a view may walk per shape: a shape everyone asks says little about
/// similarity, and walking all its askers would make one view cost as much as the whole book.
constexpr std::size_t max_askers_walked = 64;
constexpr std::size_t similar_users = 12;
constexpr std::size_t max_similar_kept = 50;

} // namespace

std::string crowd_key_of(const std::string& partial) {
  auto w = first_word(partial);
  if (w.size() > 3)
    w.resize(3);
  return w;
}

crowd_book::scope& crowd_book::scope_of(const std::string& connection_id, const std::string& role) {
  return scopes_[scope_key(connection_id, role)];
}

const crowd_book::scope* crowd_book::find_scope(const std::string& connection_id,
                                                const std::string& role) const {
  auto i = scopes_.find(scope_key(connection_id, role));
  return i == scopes_.end() ? nullptr : &i->second;
}

void crowd_book::add(const std::string& user, const std::string& role, asked_question q) {
  ++questions_;
  auto& u = users_[user];
  if (u.role != role) {
    u.role = role;
    ++u.role_epoch;
  }
  // The asker sets are the costly lookups, and most questions are repeats: a user already asked
  // this shape is among its askers everywhere, and in the role's scope if asked in this role.
  auto& mine = u.shapes[q.connection_id][q.shape];
  bool new_asker = mine.count == 0;
  bool new_in_role = new_asker || mine.role_epoch != u.role_epoch;
  mine.count += 1;
  mine.role_epoch = u.role_epoch;
  u.questions += 1;
  bool follows = u.last.id != 0 && u.last.connection_id == q.connection_id && q.at >= u.last.at &&
                 q.at - u.last.at <= session_gap_seconds;
  // The role's scope and everyone's (one scope when the user has no role).
  static const std::string everyone;
  for (auto* r : {&everyone, &role}) {
    bool role_scope = r == &role;
    if (role_scope && role.empty())
      break;
    auto& s = scope_of(q.connection_id, *r);
    auto& e = s.shapes[q.shape];
    e.count += 1;
    e.text = q.text;
    e.normalised = q.normalised;
    e.template_text = q.template_text;
    if (role_scope ? new_in_role : new_asker)
      e.users.insert(user);
    s.total += 1;
    s.dirty = true;
    if (!follows)
      continue;
    auto& f = s.followups[u.last.template_text][q.shape];
    f.count += 1;
    f.text = q.text;
    f.normalised = q.normalised;
    f.template_text = q.template_text;
    f.users.insert(user);
    for (int k = 0; k < slot_kinds; ++k) {
      auto* a = first_slot(u.last.slots, static_cast<slot_kind>(k));
      auto* b = first_slot(q.slots, static_cast<slot_kind>(k));
      if (a && b) {
        f.comparable[k] += 1;
        if (a->key == b->key)
          f.carried[k] += 1;
      }
    }
  }
  u.last = std::move(q); // kept as the next question's predecessor
}

void crowd_book::rank(scope& s) const {
  s.ranked.clear();
  s.by_first_word.clear();
  for (auto& kv : s.shapes)
    if (static_cast<int>(kv.second.users.size()) >= min_users_)
      s.ranked.push_back(&kv);
  std::sort(s.ranked.begin(), s.ranked.end(), [](auto* a, auto* b) {
    return a->second.count != b->second.count ? a->second.count > b->second.count
                                              : a->first < b->first;
  });
  for (auto* kv : s.ranked)
    s.by_first_word[first_word(kv->first)].push_back(kv);
  s.dirty = false;
}

void crowd_book::refresh() {
  for (auto& kv : scopes_)
    if (kv.second.dirty)
      rank(kv.second);
}

void crowd_book::top(const scope& s, const std::string& typed_word, std::size_t n,
                     std::vector<crowd_question>& out) const {
  auto add = [&](const std::pair<const std::string, shape_entry>& kv) {
    out.push_back({kv.second.text, kv.second.normalised, kv.first, kv.second.template_text,
                   kv.second.count,
                   static_cast<std::int32_t>(kv.second.users.size()), 0});
  };
  // Those whose first word starts with what is being typed, most asked first...
  std::unordered_set<const void*> taken;
  if (!typed_word.empty()) {
    scope::ranked_list starting;
    for (auto i = s.by_first_word.lower_bound(typed_word);
         i != s.by_first_word.end() && i->first.compare(0, typed_word.size(), typed_word) == 0; ++i)
      starting.insert(starting.end(), i->second.begin(), i->second.end());
    std::partial_sort(starting.begin(), starting.begin() + std::min(n, starting.size()),
                      starting.end(), [](auto* a, auto* b) {
                        return a->second.count != b->second.count
                                 ? a->second.count > b->second.count : a->first < b->first;
                      });
    for (std::size_t i = 0; i < starting.size() && i < n; ++i) {
      add(*starting[i]);
      taken.insert(starting[i]);
    }
  }
  // ...then the most common ones whatever they start with (the ranker may carry the user's topic
  // into them).
  for (std::size_t i = 0, added = 0; i < s.ranked.size() && added < n; ++i)
    if (!taken.count(s.ranked[i])) {
      add(*s.ranked[i]);
      ++added;
    }
}

crowd_view crowd_book::view(const std::string& user, const std::string& role,
                            const std::string& connection_id,
                            const std::string& previous_template,
                            const std::string& typed_word, std::size_t per_list) const {
  crowd_view v;
  auto* mine = find_scope(connection_id, role);
  auto* all = find_scope(connection_id, std::string());
  if (mine) {
    top(*mine, typed_word, per_list, v.role);
    v.role_total = mine->total;
  }
  if (all) {
    top(*all, typed_word, per_list, v.global);
    v.global_total = all->total;
  }
  // Follow-ups after the previous template: the role's, or everyone's if the role has none.
  if (!previous_template.empty())
    for (auto* s : {mine, all}) {
      if (!s)
        continue;
      auto f = s->followups.find(previous_template);
      if (f == s->followups.end())
        continue;
      for (auto& [shape, e] : f->second) {
        v.followup_total += e.count;
        if (static_cast<int>(e.users.size()) < min_users_)
          continue;
        std::uint32_t carry = 0;
        for (int k = 0; k < slot_kinds; ++k)
          if (e.comparable[k] > 0 && e.carried[k] * 2 >= e.comparable[k])
            carry |= slot_bit(static_cast<slot_kind>(k));
        v.followups.push_back({e.text, e.normalised, shape, e.template_text, e.count,
                               static_cast<std::int32_t>(e.users.size()), carry});
      }
      if (!v.followups.empty())
        break;
      v.followup_total = 0;
    }
  std::sort(v.followups.begin(), v.followups.end(),
            [](auto& a, auto& b) { return a.weight > b.weight; });
  if (v.followups.size() > per_list)
    v.followups.resize(per_list);
  // Users like this one: they share shapes, rare shapes counting more. The list is kept until
  // the user asks something new or the book has grown a little (it is the costly part).
  auto u = users_.find(user);
  if (!all || u == users_.end())
    return v;
  auto own = u->second.shapes.find(connection_id);
  if (own == u->second.shapes.end())
    return v;
  auto& cached = similar_[user + '\n' + connection_id];
  if (cached.user_questions == u->second.questions && questions_ - cached.book_questions < 500) {
    v.similar = cached.list;
    v.similar_total = cached.total;
    if (v.similar.size() > per_list)
      v.similar.resize(per_list);
    return v;
  }
  std::unordered_map<std::string, double> similarity;
  for (auto& kv : own->second) {
    auto e = all->shapes.find(kv.first);
    if (e == all->shapes.end() || e->second.users.size() < 2)
      continue;
    auto weight = 1.0 / std::log(2.0 + static_cast<double>(e->second.users.size()));
    std::size_t walked = 0;
    for (auto& other : e->second.users) {
      if (++walked > max_askers_walked)
        break;
      if (other != user)
        similarity[other] += weight;
    }
  }
  std::vector<std::pair<double, const std::string*>> nearest;
  for (auto& [other, sim] : similarity)
    nearest.emplace_back(sim, &other);
  std::sort(nearest.begin(), nearest.end(), [](auto& a, auto& b) {
    return a.first != b.first ? a.first > b.first : *a.second < *b.second;
  });
  if (nearest.size() > similar_users)
    nearest.resize(similar_users);
  std::unordered_map<std::string, double> offered;
  for (auto& [sim, other] : nearest) {
    auto ou = users_.find(*other);
    auto theirs = ou->second.shapes.find(connection_id);
    if (theirs == ou->second.shapes.end())
      continue;
    double n = 0;
    for (auto& kv : theirs->second)
      n += kv.second.count;
    for (auto& [shape, asked] : theirs->second)
      if (!own->second.count(shape))
        offered[shape] += sim * asked.count / n;
  }
  for (auto& [shape, weight] : offered) {
    auto e = all->shapes.find(shape);
    if (e == all->shapes.end() || static_cast<int>(e->second.users.size()) < min_users_)
      continue;
    v.similar_total += weight;
    v.similar.push_back({e->second.text, e->second.normalised, shape, e->second.template_text,
                         weight,
                         static_cast<std::int32_t>(e->second.users.size()), 0});
  }
  std::sort(v.similar.begin(), v.similar.end(), [](auto& a, auto& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.shape < b.shape;
  });
  if (v.similar.size() > max_similar_kept)
    v.similar.resize(max_similar_kept);
  cached = {u->second.questions, questions_, v.similar, v.similar_total};
  if (v.similar.size() > per_list)
    v.similar.resize(per_list);
  return v;
}

} // namespace foresight
