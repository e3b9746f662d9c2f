#include <boost/test/unit_test.hpp>

#include "core/views.hpp"

using namespace foresight;

namespace {

stored_pattern sample() {
  stored_pattern p;
  p.id = 7;
  p.pattern_type = "user_specific";
  p.target_id = "ana";
  p.query_template = "top {n} customers by \"revenue\"";
  p.frequency = 3;
  p.success_rate = 0.5;
  p.last_used = "2026-01-05T09:14:00.000Z";
  p.metadata_json = R"({"query_type": "ranking", "distinct_users": 1})";
  p.created_at = "2026-01-01T00:00:00.000Z";
  p.updated_at = "2026-01-05T09:14:00.000Z";
  return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pattern_views)

BOOST_AUTO_TEST_CASE(a_stored_pattern_renders_every_column_with_nulls_for_the_missing) {
  patterns_view v;
  v.user_patterns.push_back(sample());
  v.user_pattern_count = 1;
  BOOST_TEST(patterns_json("ana", v) ==
             R"({"user_id":"ana","user_patterns":[{"id":7,"pattern_type":"user_specific",)"
             R"("target_id":"ana","query_template":"top {n} customers by \"revenue\"",)"
             R"("frequency":3,"success_rate":0.5,"avg_response_time":null,)"
             R"("last_used":"2026-01-05T09:14:00.000Z",)"
             R"("metadata":{"query_type": "ranking", "distinct_users": 1},)"
             R"("created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-05T09:14:00.000Z"}],)"
             R"("role_patterns":[],"user_pattern_count":1,"role_pattern_count":0})");
}

BOOST_AUTO_TEST_CASE(the_csv_export_takes_the_columns_and_two_metadata_members) {
  patterns_view v;
  v.role_patterns.push_back(sample());
  v.role_patterns.back().avg_response_time = 120.5;
  BOOST_TEST(patterns_csv(v) ==
             "id,pattern_type,target_id,query_template,frequency,success_rate,avg_response_time,"
             "last_used,query_type,distinct_users\r\n"
             "7,user_specific,ana,\"top {n} customers by \"\"revenue\"\"\",3,0.5,120.5,"
             "2026-01-05T09:14:00.000Z,ranking,1\r\n");
}

BOOST_AUTO_TEST_SUITE_END()
