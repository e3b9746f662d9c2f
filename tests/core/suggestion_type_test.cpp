#include "core/suggestion_type.hpp"

#include <boost/test/unit_test.hpp>
#include <set>

#include "core/preferences.hpp"
#include "core/suggestions.hpp"

using namespace foresight;

BOOST_AUTO_TEST_SUITE(suggestion_types_table)

BOOST_AUTO_TEST_CASE(every_type_has_one_entry_a_description_and_an_icon) {
  std::set<std::string_view> names;
  for (auto& t : suggestion_types()) {
    BOOST_TEST(names.insert(t.name).second, t.name);
    BOOST_TEST(find_suggestion_type(t.name) == &t);
    BOOST_TEST(is_suggestion_type(t.name));
    BOOST_TEST(!t.description.empty());
    BOOST_TEST(std::string_view(icon_for(t.name)) == t.icon);
    BOOST_TEST(is_preferable_query_type(t.name) == t.preferable);
  }
  BOOST_TEST(names.size() == 8u);
  BOOST_TEST(!find_suggestion_type("Trend"));
  BOOST_TEST(std::string_view(icon_for("unknown")) == "💬");
}

BOOST_AUTO_TEST_CASE(the_preferable_types_are_the_advanced_query_kinds) {
  BOOST_TEST(preferable_suggestion_type_names() == "comparison, trend, ranking and aggregation");
  BOOST_TEST(!is_preferable_query_type("metric"));
}

BOOST_AUTO_TEST_SUITE_END()
