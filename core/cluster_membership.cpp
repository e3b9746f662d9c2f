#include "core/cluster_membership.hpp"

#include <algorithm>

namespace foresight {

const char* to_string(member_state s) {
  switch (s) {
    case member_state::alive: return "alive";
    case member_state::dead: return "dead";
    case member_state::unknown: break;
  }
  return "unknown";
}

cluster_membership::cluster_membership(std::string self, std::vector<cluster_member> peers,
                                       std::int64_t dead_after_ms)
  : self_(std::move(self)), members_(std::move(peers)), dead_after_ms_(dead_after_ms) {
  cluster_member me;
  me.id = self_;
  me.state = member_state::alive;
  me.local = true;
  members_.push_back(std::move(me));
  std::sort(members_.begin(), members_.end(),
            [](const cluster_member& a, const cluster_member& b) { return a.id < b.id; });
}

cluster_member* cluster_membership::find(const std::string& id) {
  auto i = std::lower_bound(members_.begin(), members_.end(), id,
                            [](const cluster_member& m, const std::string& k) { return m.id < k; });
  return i != members_.end() && i->id == id ? &*i : nullptr;
}

const cluster_member* cluster_membership::find(const std::string& id) const {
  return const_cast<cluster_membership*>(this)->find(id);
}

bool cluster_membership::heard_from(const std::string& id, std::int64_t now) {
  auto m = find(id);
  if (!m || m->local)
    return false;
  m->last_heard_ms = std::max(m->last_heard_ms, now);
  if (m->state == member_state::alive)
    return false;
  m->state = member_state::alive;
  ++epoch_;
  return true;
}

bool cluster_membership::lost(const std::string& id) {
  auto m = find(id);
  if (!m || m->local || m->state == member_state::dead)
    return false;
  bool was_alive = m->state == member_state::alive;
  m->state = member_state::dead;
  if (was_alive)
    ++epoch_;
  return was_alive;
}

std::vector<std::string> cluster_membership::expire(std::int64_t now) {
  std::vector<std::string> gone;
  for (auto& m : members_)
    if (!m.local && m.state == member_state::alive && now - m.last_heard_ms > dead_after_ms_) {
      m.state = member_state::dead;
      gone.push_back(m.id);
    }
  if (!gone.empty())
    ++epoch_;
  return gone;
}

std::vector<std::string> cluster_membership::live() const {
  std::vector<std::string> out;
  for (auto& m : members_)
    if (m.state == member_state::alive)
      out.push_back(m.id);
  return out;
}

bool cluster_membership::has_quorum() const {
  std::size_t alive = 0;
  for (auto& m : members_)
    alive += m.state == member_state::alive ? 1 : 0;
  if (2 * alive != members_.size())
    return 2 * alive > members_.size();
  return members_.front().state == member_state::alive; // sorted: the smallest id breaks the tie
}

bool cluster_membership::is_live(const std::string& id) const {
  auto m = find(id);
  return m && m->state == member_state::alive;
}

bool cluster_membership::is_member(const std::string& id) const {
  return find(id) != nullptr;
}

} // namespace foresight
