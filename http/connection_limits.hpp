// Caps on open connections, in total and per client address, so that idle connections from one
// client cannot use up the process's file descriptors. Pure bookkeeping: the listener asks before
// it serves an accepted connection and tells when the connection is gone.
#pragma once
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace foresight {

/// The total cap in effect: `configured`, or with 0 the open-file limit less `reserve`
/// descriptors for everything else (the database, the LLM, logs), at least 16.
std::size_t effective_connection_cap(std::size_t configured, std::size_t open_files_limit,
                                     std::size_t reserve);

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
