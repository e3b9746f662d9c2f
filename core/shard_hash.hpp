// Which shard owns a key: a hash that is the same in every process, build and node (std::hash is
// not), so that a key's owner can be computed anywhere, and a later cluster can agree on it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace foresight {

/// The shard of `shards` (at least 1) owning `key`.
std::size_t shard_of_key(std::string_view key, std::size_t shards);

} // namespace foresight
