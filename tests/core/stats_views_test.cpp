#include <boost/test/unit_test.hpp>

#include "core/views.hpp"

using namespace foresight;

BOOST_AUTO_TEST_SUITE(stats_views)

BOOST_AUTO_TEST_CASE(the_monitoring_rows_render_as_the_api_documents_them) {
  stats_report r;
  r.usage.top_role_patterns.push_back({"analyst", "top {n} customers", 3, -1});
  r.usage.activity_breakdown.push_back({"", "query", 12, 4});
  r.usage.activity_by_day.push_back({"2026-01-05", "chat", 2, 0});
  r.usage.click_through_by_user.push_back({"ana", "", 9, 1, 0, -1});
  r.usage.click_through_by_arm.push_back({"", "recency", 0, 1, 4, 0.25});
  auto body = stats_json(r);
  auto has = [&](const std::string& part) { return body.find(part) != std::string::npos; };
  BOOST_TEST(has(R"("top_patterns_by_role":[{"role":"analyst","query_template":"top {n} customers",)"
                 R"("frequency":3,"success_rate":null}])"),
             body);
  BOOST_TEST(has(R"("activity_breakdown_7d":[{"activity_type":"query","count":12,"unique_users":4}])"));
  BOOST_TEST(has(R"("activity_by_day_14d":[{"day":"2026-01-05","activity_type":"chat","count":2}])"));
  BOOST_TEST(has(R"("click_through_30d":[{"user_id":"ana","total_queries":9,)"
                 R"("clicked_suggestions":1,"impressions":0,"click_through_rate":null}])"));
  BOOST_TEST(has(R"("click_through_by_strategy_30d":[{"strategy":"recency","impressions":4,)"
                 R"("clicked_suggestions":1,"click_through_rate":0.25}])"));
}

BOOST_AUTO_TEST_CASE(no_rows_are_empty_arrays) {
  auto body = stats_json(stats_report{});
  for (auto* key : {"top_patterns_by_role", "activity_breakdown_7d", "activity_by_day_14d",
                    "click_through_30d", "click_through_by_strategy_30d"})
    BOOST_TEST(body.find("\"" + std::string(key) + "\":[]") != std::string::npos, key);
}

BOOST_AUTO_TEST_SUITE_END()
