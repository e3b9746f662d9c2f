// The vocabularies' SQL side: the database's CHECK constraints list the names of the C++ tables.
#include <boost/test/unit_test.hpp>
#include <regex>
#include <set>
#include <string>

#include "core/activity_type.hpp"
#include "storage/migrations.hpp"

using namespace foresight;

namespace {

/// The quoted names of the last embedded migration's `CHECK (<column> IN (...))` that names
/// `constraint`.
std::set<std::string> checked_names(const std::string& constraint, const std::string& column) {
  std::string error;
  std::string sql;
  for (auto& m : plan_migrations(embedded_migrations(), error))
    if (m.sql.find(constraint) != std::string::npos)
      sql = m.sql;
  std::smatch list;
  std::set<std::string> names;
  if (!std::regex_search(sql, list, std::regex(column + R"(\s+IN\s*\(([^)]*)\))")))
    return names;
  std::string inside = list[1];
  std::regex quoted("'([^']*)'");
  for (std::sregex_iterator i(inside.begin(), inside.end(), quoted), end; i != end; ++i)
    names.insert((*i)[1]);
  return names;
}

} // namespace

BOOST_AUTO_TEST_SUITE(vocabularies)

BOOST_AUTO_TEST_CASE(the_activity_type_check_lists_the_activity_type_table) {
  std::set<std::string> table;
  for (auto& t : activity_types())
    table.insert(std::string(t.name));
  BOOST_TEST(table.size() == activity_types().size());
  BOOST_TEST(checked_names("user_activity_type_check", "activity_type") == table,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
