#include "core/activity.hpp"

#include <boost/test/unit_test.hpp>

#include "core/payloads.hpp"

using namespace foresight;

BOOST_AUTO_TEST_SUITE(activity)

BOOST_AUTO_TEST_CASE(the_four_types_and_nothing_else) {
  for (auto* t : {"query", "chat", "suggestion_click", "feedback"})
    BOOST_TEST(is_activity_type(t));
  for (auto* t : {"", "Query", "click", "query "})
    BOOST_TEST(!is_activity_type(t));
}

BOOST_AUTO_TEST_CASE(parsing_strips_reserved_metadata_and_keeps_the_rest_compact) {
  activity_row row;
  auto err = parse_activity(R"({"activity_type":"query","query_text":"Top 10 stocks by volume",
      "response_data":{ "data" : [1, 2] },
      "metadata":{"role":"ceo","connection_id":"db1","goals":[],"department":"x","n":{"a":1}}})",
                            8192, row);
  BOOST_TEST(!err, err.message);
  BOOST_TEST(row.has_query_text);
  BOOST_TEST(!row.has_suggestion_clicked);
  BOOST_TEST(row.response_data_json == R"({"data":[1,2]})");
  BOOST_TEST(row.metadata_json == R"({"connection_id":"db1","n":{"a":1}})");
  BOOST_TEST(row.feedback_rating == 0);
}

BOOST_AUTO_TEST_CASE(enrichment_puts_the_servers_view_first) {
  user_profile u;
  u.role = "trader";
  u.department = "Markets \"FX\"";
  u.goals_json = R"(["alpha"])";
  BOOST_TEST(enrich_metadata("{}", u) ==
             R"({"role":"trader","department":"Markets \"FX\"","goals":["alpha"]})");
  BOOST_TEST(enrich_metadata(R"({"connection_id":"db1"})", u) ==
             R"({"role":"trader","department":"Markets \"FX\"","goals":["alpha"],"connection_id":"db1"})");
}

BOOST_AUTO_TEST_CASE(history_parameters_are_bounded) {
  history_query q;
  BOOST_TEST(!parse_history_query({}, q));
  BOOST_TEST(q.limit == 100);
  BOOST_TEST(q.before_id == 0);
  history_query q2;
  BOOST_TEST(!parse_history_query({{"limit", "1000"}, {"before_id", "77"}, {"activity_type", "chat"}}, q2));
  BOOST_TEST(q2.limit == 1000);
  BOOST_TEST(q2.before_id == 77);
  BOOST_TEST(q2.activity_type == "chat");
  history_query q3;
  BOOST_TEST(parse_history_query({{"limit", "5x"}}, q3).field == "limit");
  BOOST_TEST(parse_history_query({{"limit", "1001"}}, q3).field == "limit");
  BOOST_TEST(parse_history_query({{"activity_type", "x"}}, q3).field == "activity_type");
}

BOOST_AUTO_TEST_CASE(idempotency_keys_are_short_visible_ascii) {
  BOOST_TEST(!check_idempotency_key(""));
  BOOST_TEST(!check_idempotency_key("req-7f3a:retry/2"));
  BOOST_TEST(check_idempotency_key(std::string(101, 'a')).field == "Idempotency-Key");
  BOOST_TEST(!!check_idempotency_key("has space"));
  BOOST_TEST(!!check_idempotency_key("caf\xc3\xa9"));
}

BOOST_AUTO_TEST_SUITE_END()
