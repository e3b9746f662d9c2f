// Test fixtures: a throwaway PostgreSQL for the whole run, a fresh database per test, and
// foresightd started as a real child process on a free port.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/embedded_postgres.hpp"

namespace foresight::testing {

/// The secret every test server signs with, so tests can mint tokens of their own.
inline const std::string test_secret = "integration-test-secret-0123456789abcdef";

/// Connection string of a new, empty database on the test cluster.
std::string fresh_database();

/// Stops the test cluster (a database outage; `immediate`: a crash, what no commit has flushed
/// is lost); false, doing nothing, for an external one.
bool stop_test_cluster(embedded_postgres::shutdown mode = embedded_postgres::shutdown::fast);
/// Starts it again after stop_test_cluster().
void start_test_cluster();

/// Connection string for the cluster's maintenance database (to create or alter databases).
std::string admin_conninfo();

/// The test cluster superuser's password (from its password file); empty with
/// FORESIGHT_TEST_DATABASE_URL.
std::string database_password();

/// Inserts a user directly (fast hash) into the database at `conninfo`.
void add_user(const std::string& conninfo, const std::string& id, const std::string& role,
              bool admin, const std::string& password = "password-123");

/// A valid token for `user_id`, signed with test_secret.
std::string token_for(const std::string& user_id, int ttl = 3600);

/// foresightd as a child process; stdout and stderr are collected.
class server_process {
public:
  /// Runs `foresightd <args...>` (e.g. {"serve", "--database-url", url}) with extra env vars
  /// and `input` on its stdin, and for `serve` waits until it logs that it listens.
  /// `open_files_limit` > 0 sets the child's RLIMIT_NOFILE (soft and hard) before the exec.
  explicit server_process(std::vector<std::string> args,
                          std::map<std::string, std::string> env = {}, std::string input = {},
                          int open_files_limit = 0);
  ~server_process();

  std::uint16_t port() const { return port_; }
  int pid() const; ///< the child's process id (-1 once it has been waited for)
  /// Sends `sig` and waits; returns the exit status (128+n if killed by signal n).
  int stop(int sig = 15);
  /// Waits for a subcommand to finish; returns its exit status.
  int wait();
  std::string output() const;
  /// Stops (true) or resumes reading the process's output: held, its stdout pipe fills up and
  /// a write to it blocks, as with a stuck terminal or log collector.
  void hold_output(bool hold);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::uint16_t port_ = 0;
};

/// The fields of a `/proc/.../stat` file after the command name (which may hold spaces):
/// [0] is the state, field 3 of proc(5), so field n is at [n - 3]. Empty if it cannot be read.
std::vector<std::string> proc_stat_fields(const std::string& path);

/// `serve` arguments for a test server on the given database, any free port.
std::vector<std::string> serve_args(const std::string& conninfo,
                                    std::vector<std::string> extra = {});

} // namespace foresight::testing
