// session: the connection, its settings, and the statements prepared on it.
#include "storage/session.hpp"

#include <pqxx/pqxx>
#include <set>

#include "storage/storage_error.hpp"

namespace foresight {

struct session::holder {
  pqxx::connection c;
  std::set<std::string> prepared;
  explicit holder(const std::string& conninfo) : c(conninfo) {}
};

session::session(std::string conninfo) : conninfo_(std::move(conninfo)) {
  // nop: connects on first use
}

session::~session() = default;

void session::connect() {
  if (conn_ && conn_->c.is_open())
    return;
  conn_.reset();
  translated([&] {
    auto h = std::make_unique<holder>(conninfo_);
    pqxx::nontransaction tx{h->c};
    tx.exec(settings_sql(h->c));
    tx.commit();
    conn_ = std::move(h);
  });
  ++generation_;
}

std::string session::settings_sql(pqxx::connection_base& c) const {
  // Timestamps are stored as UTC TIMESTAMP and sent as ISO 8601 (storage/sql.hpp).
  std::string sql = "SET TIME ZONE 'UTC'";
  for (auto& [name, value] : parameters_)
    sql += "; SET " + c.quote_name(name) + " = " + c.quote(value);
  return sql;
}

std::string session::settings_sql() {
  return settings_sql(conn());
}

void session::disconnect() {
  conn_.reset();
}

void session::set_parameter(std::string name, std::string value) {
  parameters_.emplace_back(std::move(name), std::move(value));
  disconnect(); // applied at the next connect
}

void session::prefer_index_probes() {
  set_parameter("random_page_cost", "1.1");
}

pqxx::connection_base& session::conn() {
  connect();
  return conn_->c;
}

void session::prepare(const char* name, const char* sql) {
  connect();
  if (conn_->prepared.count(name))
    return;
  translated([&] { conn_->c.prepare(name, sql); });
  conn_->prepared.insert(name);
}

} // namespace foresight
