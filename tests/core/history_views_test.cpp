#include <boost/test/unit_test.hpp>

#include "core/json_writer.hpp"
#include "core/views.hpp"

using namespace foresight;

BOOST_AUTO_TEST_SUITE(history_views)

BOOST_AUTO_TEST_CASE(an_activity_renders_every_column_with_nulls_for_the_missing) {
  activity_record a;
  a.id = 42;
  a.user_id = "ana";
  a.activity_type = "suggestion_click";
  a.has_suggestion_clicked = true;
  a.suggestion_clicked = "Revenue by \"region\"";
  a.metadata_json = R"({"role": "analyst"})";
  a.created_at = "2026-01-05T09:14:00.000Z";
  json_writer w;
  write_activity_record(w, a);
  BOOST_TEST(w.take() ==
             R"({"id":42,"user_id":"ana","activity_type":"suggestion_click","query_text":null,)"
             R"("response_data":null,"suggestion_clicked":"Revenue by \"region\"",)"
             R"("feedback_rating":null,"metadata":{"role": "analyst"},)"
             R"("created_at":"2026-01-05T09:14:00.000Z"})");
}

BOOST_AUTO_TEST_CASE(an_audit_entry_renders_its_columns_in_order) {
  json_writer w;
  write_audit_entry(w, {7, "2026-01-05T09:14:00.000Z", "admin", "catalog_changed", "sales",
                        R"({"version": 2})"});
  BOOST_TEST(w.take() == R"({"id":7,"created_at":"2026-01-05T09:14:00.000Z","actor":"admin",)"
                         R"("action":"catalog_changed","target":"sales","detail":{"version": 2}})");
}

BOOST_AUTO_TEST_SUITE_END()
