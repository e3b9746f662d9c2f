// A private PostgreSQL 15 cluster under the data directory: created on first use, reachable only
// through a unix socket, run as an unprivileged user when foresightd runs as root.
#pragma once
#include <string>
#include <vector>

namespace foresight {

/// Owns one cluster's lifetime: start() brings it up (creating it if needed), stop() shuts it down.
class embedded_postgres {
public:
  /// `data_dir` is foresightd's data directory; the cluster lives in `data_dir/postgres`.
  explicit embedded_postgres(std::string data_dir);
  ~embedded_postgres();

  embedded_postgres(const embedded_postgres&) = delete;
  embedded_postgres& operator=(const embedded_postgres&) = delete;

  /// Starts the cluster and returns a libpq connection string for the `foresight` database.
  /// A cluster already running is restarted with our settings (it was left by a killed process),
  /// unless `reuse_running`: then it is shared as it is and left running by stop().
  /// Throws std::runtime_error with the reason (and the server log's tail) on failure.
  std::string start(bool reuse_running = false);

  /// Stops the cluster (fast shutdown: sessions are ended, data is flushed). Idempotent.
  void stop();

  /// Where the server log is written.
  const std::string& log_file() const { return log_file_; }

private:
  int run(const std::vector<std::string>& argv, bool as_owner) const;
  std::string bin(const std::string& tool) const;

  std::string data_dir_;
  std::string cluster_dir_;
  std::string socket_dir_;
  std::string log_file_;
  std::string bin_dir_;
  int owner_uid_ = -1; ///< -1: run as ourselves
  int owner_gid_ = -1;
  bool running_ = false;
};

/// A libpq keyword/value connection string for a unix socket directory.
std::string socket_connection_string(const std::string& socket_dir, const std::string& dbname);

} // namespace foresight
