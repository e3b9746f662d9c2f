// Supervisors keep their children in fixed slots (shard i, worker i) and restart a slot's child
// when it goes down; this finds and frees the slot a down message is about.
#pragma once
#include <caf/actor.hpp>
#include <caf/system_messages.hpp>
#include <optional>
#include <vector>

namespace foresight {

/// The slot of the child `dm` reports, now empty; nothing if it is none of `children`.
inline std::optional<std::size_t> release_child(std::vector<caf::actor>& children,
                                                const caf::down_msg& dm) {
  for (std::size_t i = 0; i < children.size(); ++i)
    if (children[i] && children[i].address() == dm.source) {
      children[i] = nullptr;
      return i;
    }
  return std::nullopt;
}

} // namespace foresight
