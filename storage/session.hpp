// The connection the stores share: one libpqxx connection, opened on demand and again after it
// broke. Use a session (and its stores) from one thread only.
//
// Stores read with one statement through `pqxx::nontransaction`: a lone statement sees one
// snapshot, and a read transaction's BEGIN and COMMIT would triple its round trips. Reads of
// several statements that must agree use `pqxx::read_transaction`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace foresight {

class session {
public:
  explicit session(std::string conninfo);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Opens the connection if it is closed or broken. Throws storage_error if it cannot.
  void connect();
  /// Drops the connection; the next operation reconnects.
  void disconnect();
  /// A run-time parameter (`SET name = value`) for this connection and any reconnection.
  void set_parameter(std::string name, std::string value);
  /// For a connection that stores rows keyed to users: the foreign-key check of each row is a
  /// query of `users` by primary key, which PostgreSQL's default page costs (a spinning disk's)
  /// plan as a scan of the whole table once it is analysed while it holds a few hundred users.
  /// This connection plans for a disk without seek time, so the check probes the index.
  void prefer_index_probes();

  /// The open connection, connecting first if need be.
  pqxx::connection_base& conn();
  /// Prepares `sql` as statement `name` on the current connection unless it is already.
  void prepare(const char* name, const char* sql);
  /// What each connection is opened with: the connection string, then settings_sql.
  const std::string& conninfo() const { return conninfo_; }
  /// The statements that give a new connection this session's settings (UTC, then each
  /// set_parameter), for a connection a store opens itself. Connects first if need be: the
  /// values are quoted by this session's connection.
  std::string settings_sql();
  /// Grows every time a connection is opened: what a store remembers about what the connection
  /// did is stale once it changes.
  std::uint64_t generation() const { return generation_; }

private:
  std::string settings_sql(pqxx::connection_base& c) const;
  struct holder; // the pqxx::connection, kept out of this header
  std::string conninfo_;
  std::vector<std::pair<std::string, std::string>> parameters_;
  std::uint64_t generation_ = 0;
  std::unique_ptr<holder> conn_;
};

} // namespace foresight
