#include "core/activity_type.hpp"

#include <boost/test/unit_test.hpp>

#include "core/activity.hpp"

using namespace foresight;

BOOST_AUTO_TEST_SUITE(activity_types_table)

BOOST_AUTO_TEST_CASE(every_type_round_trips_through_its_wire_name) {
  for (auto& t : activity_types()) {
    BOOST_TEST(to_string(t.type) == t.name);
    BOOST_TEST((parse_activity_type(t.name) == t.type));
    BOOST_TEST(is_activity_type(t.name));
  }
  BOOST_TEST(!parse_activity_type("Query"));
  BOOST_TEST(!parse_activity_type(""));
  BOOST_TEST(!is_activity_type("click"));
}

BOOST_AUTO_TEST_CASE(the_wire_names_and_the_learnable_ones_are_as_the_api_documents) {
  BOOST_TEST(activity_type_names() == "query, chat, suggestion_click, feedback");
  BOOST_TEST(is_learnable_activity_type("query"));
  BOOST_TEST(is_learnable_activity_type("suggestion_click"));
  BOOST_TEST(is_learnable_activity_type("feedback"));
  BOOST_TEST(!is_learnable_activity_type("chat"));
  BOOST_TEST(!is_learnable_activity_type("unknown"));
}

BOOST_AUTO_TEST_SUITE_END()
