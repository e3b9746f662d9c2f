// stable_hash: 64-bit hashes that are the same in every process, build and run (std::hash is
// not), for whatever is stored or agreed between nodes: learner shards, experiment arms, the
// placement of users on nodes.
#pragma once
#include <cstdint>
#include <string_view>

namespace foresight {

/// FNV-1a's published offset basis.
constexpr std::uint64_t fnv1a64_basis = 14695981039346656037ULL;

/// The basis learner shards and experiment arms were first computed with (the published one less
/// its last digit). Shard numbers are stored with their watermarks and arms decide what users
/// see, so those two keep it.
constexpr std::uint64_t fnv1a64_legacy_basis = 1469598103934665603ULL;

/// FNV-1a over `bytes`, continuing from `h` (chain calls to hash several fields).
constexpr std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = fnv1a64_basis) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

/// A finaliser (MurmurHash3's fmix64): FNV-1a's low bits are poor, and rendezvous hashing
/// compares whole values.
constexpr std::uint64_t mix64(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

} // namespace foresight
