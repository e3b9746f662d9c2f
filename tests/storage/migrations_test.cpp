#include "storage/migrations.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(file_names_parse_into_version_and_name) {
  int v = 0;
  std::string name;
  BOOST_TEST(parse_migration_file_name("004_add_user_activity_tracking.sql", v, name));
  BOOST_TEST(v == 4);
  BOOST_TEST(name == "add_user_activity_tracking");
  for (auto* bad : {"4_x.sql", "004-x.sql", "004_.sql", "000_zero.sql", "004_x.txt", "abc_x.sql",
                    "004_Upper.sql"})
    BOOST_TEST(!parse_migration_file_name(bad, v, name), bad);
}

BOOST_AUTO_TEST_CASE(plans_are_sorted_and_reject_duplicates) {
  std::string error;
  auto plan = plan_migrations({{"005_b.sql", "B"}, {"001_a.sql", "A"}}, error);
  BOOST_TEST(error.empty());
  BOOST_REQUIRE(plan.size() == 2u);
  BOOST_TEST(plan[0].version == 1);
  BOOST_TEST(plan[1].sql == "B");
  plan_migrations({{"001_a.sql", ""}, {"001_b.sql", ""}}, error);
  BOOST_TEST(error.find("share version 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_embedded_set_starts_with_users_and_has_the_spec_tables_at_004) {
  std::string error;
  auto plan = plan_migrations(embedded_migrations(), error);
  BOOST_TEST(error.empty());
  BOOST_REQUIRE(plan.size() >= 2u);
  BOOST_TEST(plan[0].version == 1);
  BOOST_TEST(plan[0].sql.find("CREATE TABLE users") != std::string::npos);
  bool has_004 = false;
  for (auto& m : plan)
    if (m.version == 4) {
      has_004 = true;
      BOOST_TEST(m.name == "add_user_activity_tracking");
    }
  BOOST_TEST(has_004);
  BOOST_TEST(latest_migration_version() == plan.back().version);
}

BOOST_AUTO_TEST_SUITE_END()
