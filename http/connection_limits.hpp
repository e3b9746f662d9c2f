// Caps on open connections, in total and per client address, so that idle connections from one
// client cannot use up the process's file descriptors. Pure bookkeeping: the listener asks before
// it serves an accepted connection and tells when the connection is gone.
#pragma once
#include <array>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace foresight {

/// The total cap in effect: `configured`, or with 0 the open-file limit less `reserve`
/// descriptors for everything else (the database, the LLM, logs), at least 16.
std::size_t effective_connection_cap(std::size_t configured, std::size_t open_files_limit,
                                     std::size_t reserve);

/// What the per-address cap counts by, from an address as 16 IPv6 bytes (IPv4 v4-mapped):
/// "192.0.2.7" for IPv4, or the /64 for IPv6 ("2001:db8:0:1::/64"), since one host may have a
/// whole /64 to itself.
std::string connection_address_key(const std::array<unsigned char, 16>& v6);

/// Open connections against a total and a per-address cap. Thread-safe.
class connection_limits {
public:
  enum class verdict { admitted, over_total, over_address };

  /// `total` and `per_address` are the caps; 0 means none.
  connection_limits(std::size_t total, std::size_t per_address);

  /// Counts a new connection from `address` if both caps allow it.
  verdict admit(const std::string& address);

  /// Forgets one admitted connection from `address`.
  void release(const std::string& address);

  /// Connections admitted and not yet released.
  std::size_t open() const;

  std::size_t total_cap() const { return total_cap_; }
  std::size_t per_address_cap() const { return per_address_cap_; }

private:
  const std::size_t total_cap_;
  const std::size_t per_address_cap_;
  mutable std::mutex mtx_;
  std::size_t open_ = 0;
  std::unordered_map<std::string, std::size_t> by_address_; ///< only addresses with connections
};

} // namespace foresight
