// A private PostgreSQL 15 cluster under the data directory: created on first use, reachable only
// through a unix socket in a 0700 directory, run as an unprivileged user when foresightd runs as
// root, and asking every client for a password (SCRAM) that only foresightd can read.
#pragma once
#include <string>
#include <vector>

namespace foresight {

/// Owns one cluster's lifetime: start() brings it up (creating it if needed), stop() shuts it down.
class embedded_postgres {
public:
  /// `data_dir` is foresightd's data directory; the cluster lives in `data_dir/postgres`.
  /// `wal_reserve_mb` of WAL files are written when the cluster is created and kept for reuse
  /// (0: PostgreSQL's defaults): a new cluster has none, so otherwise every 16 MB of writes the
  /// backend that needs the next file writes it full of zeros and flushes it first, and every
  /// commit waits behind that (15-30 ms stalls measured at full ingest).
  explicit embedded_postgres(std::string data_dir, int wal_reserve_mb = 0);
  ~embedded_postgres();

  embedded_postgres(const embedded_postgres&) = delete;
  embedded_postgres& operator=(const embedded_postgres&) = delete;

  /// Starts the cluster and returns a libpq connection string for the `foresight` database; it
  /// names the password file (`passfile`), never the password. A cluster created by an older
  /// foresightd with trust authentication gets a password and SCRAM here.
  /// A cluster already running is restarted with our settings (it was left by a killed process),
  /// unless `reuse_running`: then it is shared as it is and left running by stop().
  /// Throws std::runtime_error with the reason (and the server log's tail) on failure.
  std::string start(bool reuse_running = false);

  /// How stop() ends the server: `fast` ends sessions and flushes everything; `immediate` is a
  /// crash (what no commit has flushed yet is lost; recovery runs at the next start).
  enum class shutdown { fast, immediate };
  /// Stops the cluster. Idempotent.
  void stop(shutdown mode = shutdown::fast);

  /// Where the server log is written.
  const std::string& log_file() const { return log_file_; }

  /// The superuser's password file (libpq's passfile format, mode 0600, owned by foresightd).
  const std::string& password_file() const { return password_file_; }

  /// The directory of the server's unix socket (mode 0700, owned by the cluster's owner).
  const std::string& socket_dir() const { return socket_dir_; }

private:
  int run(const std::vector<std::string>& argv, bool as_owner) const;
  std::string bin(const std::string& tool) const;
  void choose_socket_dir();
  std::string load_or_create_password();
  std::string connection_string(const std::string& dbname) const;

  std::string data_dir_;
  std::string cluster_dir_;
  std::string socket_dir_;
  std::string log_file_;
  std::string password_file_;
  std::string bin_dir_;
  int wal_reserve_mb_ = 0;
  int owner_uid_ = -1; ///< -1: run as ourselves
  int owner_gid_ = -1;
  bool running_ = false;
};


} // namespace foresight
