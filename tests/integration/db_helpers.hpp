// Reading the database directly in integration tests: one value, or waiting for one (the
// learners and the suggestion cache write behind, so some effects land a little later).
#pragma once
#include <chrono>
#include <initializer_list>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

namespace foresight::testing {

/// The first column of the first row of `sql` as a number; 0 for no row or NULL.
inline long long scalar(const std::string& db, const std::string& sql) {
  pqxx::connection c{db};
  pqxx::read_transaction tx{c};
  auto r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? 0 : r[0][0].as<long long>();
}

/// Runs `statements` in one transaction on `db` (a test's own set-up or fault: a trigger, a
/// constraint).
inline void run_sql(const std::string& db, std::initializer_list<const char*> statements) {
  pqxx::connection c{db};
  pqxx::work tx{c};
  for (auto* sql : statements)
    tx.exec(sql);
  tx.commit();
}

/// How many connections to the test's database other than the asking one: a server's, while it
/// runs, and a killed one's until each backend has finished what it was sent.
constexpr const char* other_connections_sql =
  "SELECT count(*) FROM pg_stat_activity"
  " WHERE datname = current_database() AND pid <> pg_backend_pid()";

/// Waits (up to 20 s) until `sql` returns `expected`, then checks it.
inline void wait_for(const std::string& db, const std::string& sql, long long expected) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  long long got = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    got = scalar(db, sql);
    if (got == expected)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_TEST(got == expected, sql << ": " << got << " after 20 s, not " << expected);
}

} // namespace foresight::testing
