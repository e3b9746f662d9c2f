// rendezvous: which node owns a key (a user), by highest random weight. Every node computes the
// same owner from the same set of live members, with no table to agree on; when a member leaves,
// only the keys it owned move (each to its second choice), and when it comes back, exactly those
// return to it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace foresight {

/// The weight of `node` for `key`: stable across processes and builds.
std::uint64_t rendezvous_weight(std::string_view node, std::string_view key);

/// The member of `nodes` with the highest weight for `key` (ties: the smaller id); empty when
/// `nodes` is empty.
std::string rendezvous_owner(std::string_view key, const std::vector<std::string>& nodes);

/// The owner of `key` that this node may act on: its own choice among `live`, only when every
/// other live member reported (`their_choices`, by member id) the same one. Empty otherwise: two
/// nodes that see different live sets (a link between them broken, both reaching a third) never
/// both act as the owner; until the others' choices arrive, nobody does.
std::string agreed_owner(std::string_view key, const std::vector<std::string>& live,
                         std::string_view self,
                         const std::unordered_map<std::string, std::string>& their_choices);

} // namespace foresight
