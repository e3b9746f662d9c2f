// A fault injector for tests: a unix-socket proxy in front of PostgreSQL that can cut a
// connection right after forwarding what commits (a COMMIT, or the Sync after a statement
// outside a transaction block), so the commit happens but its answer is lost; or hold every byte
// both ways, as a database that stopped answering (no statement timeout fires: the server hears
// nothing).
#pragma once
#include <atomic>
#include <memory>
#include <string>

namespace foresight::testing {

class pg_cutting_proxy {
public:
  /// Listens in a new temporary directory, forwarding to the socket in `server_socket_dir`.
  explicit pg_cutting_proxy(const std::string& server_socket_dir);
  ~pg_cutting_proxy();

  /// The directory to use as libpq's `host` (it holds `.s.PGSQL.5432`).
  const std::string& socket_dir() const;
  /// The next connection that sends a message containing `marker` (a statement's text, or a
  /// prepared statement's name) and then what commits has that forwarded and both sides closed
  /// at once.
  void cut_commit_after(std::string marker);
  /// While on, nothing is forwarded either way (what arrives waits in the sockets).
  void stall(bool on);
  /// Connections cut so far.
  int cuts() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// `conninfo` with its host replaced by `socket_dir` (libpq takes the last one given).
std::string via_socket_dir(const std::string& conninfo, const std::string& socket_dir);

/// The directory of the test cluster's unix socket (its `host`); empty when the cluster is
/// reached over TCP, which the proxy cannot relay.
std::string test_cluster_socket_dir();

} // namespace foresight::testing
