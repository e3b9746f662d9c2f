#include "core/shard_hash.hpp"

namespace foresight {

std::uint64_t stable_hash(std::string_view key) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::size_t shard_of_key(std::string_view key, std::size_t shards) {
  return static_cast<std::size_t>(stable_hash(key) % (shards == 0 ? 1 : shards));
}

} // namespace foresight
