#include "core/preferences.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

namespace {

api_error parse(const std::string& body, preferences_update& u) {
  return parse_preferences_update(body, u);
}

std::string field_of(const std::string& body) {
  preferences_update u;
  auto err = parse(body, u);
  BOOST_TEST((err.code == error_code::validation_failed), body);
  return err.field;
}

} // namespace

BOOST_AUTO_TEST_SUITE(preferences)

BOOST_AUTO_TEST_CASE(a_partial_update_changes_only_the_given_fields) {
  suggestion_preferences p;
  p.preferred_metrics = {"profit"};
  p.max_suggestions = 6;
  preferences_update u;
  BOOST_REQUIRE(!parse(R"({"preferred_query_types":["comparison","trend"],
                           "excluded_metrics":["internal_id"],"max_suggestions":8})", u));
  BOOST_TEST(apply_preferences_update(p, u));
  BOOST_TEST(p.preferred_query_types == (std::vector<std::string>{"comparison", "trend"}));
  BOOST_TEST(p.excluded_metrics == std::vector<std::string>{"internal_id"});
  BOOST_TEST(p.preferred_metrics == std::vector<std::string>{"profit"});
  BOOST_TEST(p.max_suggestions == 8);
  BOOST_TEST(!p.show_advanced_queries);
  // The same update again changes nothing (no version bump, no cache invalidation).
  BOOST_TEST(!apply_preferences_update(p, u));
}

BOOST_AUTO_TEST_CASE(an_empty_object_and_echoed_read_only_fields_change_nothing) {
  suggestion_preferences p;
  preferences_update u;
  BOOST_REQUIRE(!parse(R"({"user_id":"x","updated_at":null,"version":3})", u));
  BOOST_TEST(!apply_preferences_update(p, u));
}

BOOST_AUTO_TEST_CASE(every_rule_names_its_field) {
  BOOST_TEST(field_of(R"({"preferred_query_types":["comparison","pie"]})") ==
             "preferred_query_types[1]");
  BOOST_TEST(field_of(R"({"preferred_query_types":"trend"})") == "preferred_query_types");
  BOOST_TEST(field_of(R"({"excluded_metrics":[1]})") == "excluded_metrics[0]");
  BOOST_TEST(field_of(R"({"preferred_metrics":[""]})") == "preferred_metrics[0]");
  BOOST_TEST(field_of("{\"preferred_dimensions\":[\"" + std::string(101, 'x') + "\"]}") ==
             "preferred_dimensions[0]");
  std::string many = "[";
  for (int i = 0; i < 101; ++i)
    many += (i ? ",\"m" : "\"m") + std::to_string(i) + "\"";
  BOOST_TEST(field_of("{\"excluded_metrics\":" + many + "]}") == "excluded_metrics");
  BOOST_TEST(field_of(R"({"show_advanced_queries":"yes"})") == "show_advanced_queries");
  BOOST_TEST(field_of(R"({"max_suggestions":0})") == "max_suggestions");
  BOOST_TEST(field_of(R"({"max_suggestions":13})") == "max_suggestions");
  BOOST_TEST(field_of(R"({"max_suggestions":6.5})") == "max_suggestions");
  BOOST_TEST(field_of(R"({"max_suggestions":"6"})") == "max_suggestions");
  BOOST_TEST(field_of(R"({"max_suggestion":6})") == "max_suggestion");
  BOOST_TEST(field_of(R"([1,2])") == "");
}

BOOST_AUTO_TEST_CASE(malformed_json_is_a_bad_request) {
  preferences_update u;
  BOOST_TEST((parse("{\"max_suggestions\":", u).code == error_code::bad_request));
  BOOST_TEST((parse("", u).code == error_code::bad_request));
}

BOOST_AUTO_TEST_CASE(the_json_shape_is_the_spec_s) {
  suggestion_preferences p;
  p.user_id = "analyst001";
  p.preferred_metrics = {"profit"};
  json_writer w;
  write_preferences(w, p);
  BOOST_TEST(w.str() ==
             R"({"user_id":"analyst001","preferred_query_types":[],"excluded_metrics":[],)"
             R"("preferred_metrics":["profit"],"preferred_dimensions":[],)"
             R"("show_advanced_queries":false,"max_suggestions":6,"version":0,"updated_at":null})");
}

BOOST_AUTO_TEST_CASE(exclusion_ignores_case) {
  suggestion_preferences p;
  p.excluded_metrics = {"Internal_ID"};
  BOOST_TEST(is_excluded_metric(p, "internal_id"));
  BOOST_TEST(!is_excluded_metric(p, "profit"));
  BOOST_TEST(same_metric_name(" Profit  Margin ", "profit margin"));
  BOOST_TEST(!same_metric_name("profit", "profit margin"));
}

BOOST_AUTO_TEST_SUITE_END()
