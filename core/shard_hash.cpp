#include "core/shard_hash.hpp"

#include "core/stable_hash.hpp"

namespace foresight {

std::size_t shard_of_key(std::string_view key, std::size_t shards) {
  return static_cast<std::size_t>(fnv1a64(key) % (shards == 0 ? 1 : shards));
}

} // namespace foresight
