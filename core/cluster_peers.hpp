// cluster_peers: the --peers list ("b=127.0.0.1:4302,c=10.0.0.3:4303") and node ids, validated.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster_membership.hpp"

namespace foresight {

/// A node id: 1-32 of [a-z0-9_-], starting with a letter or digit.
bool valid_node_id(std::string_view id);

/// Parses `text` into peers (id, address; state unknown). An empty text is no peers. Fails
/// with a message naming the entry for a malformed entry, a bad id or port, a duplicate id, or
/// the local node's own id (`self`).
bool parse_cluster_peers(std::string_view text, std::string_view self,
                         std::vector<cluster_member>& out, std::string& error);

} // namespace foresight
