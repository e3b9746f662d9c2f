#include "core/shard_hash.hpp"

#include "core/stable_hash.hpp"

namespace foresight {

std::uint64_t stable_hash(std::string_view key) {
  return fnv1a64(key);
}

std::size_t shard_of_key(std::string_view key, std::size_t shards) {
  return static_cast<std::size_t>(stable_hash(key) % (shards == 0 ? 1 : shards));
}

} // namespace foresight
