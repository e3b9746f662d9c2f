// stats_store: the monitoring queries.
#include "storage/stats_store.hpp"

#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

usage_stats stats_store::read_usage_stats(int min_users) {
  return translated([&]() -> usage_stats {
    pqxx::read_transaction tx{db_.conn()};
    usage_stats s;
    // The spec's four monitoring queries, each as one JSON value.
    auto cache = tx.exec(
      "SELECT COALESCE(COUNT(*) FILTER (WHERE hit_count > 0) * 100.0 / NULLIF(COUNT(*), 0), 0),"
      " COUNT(*) FROM suggestion_cache WHERE generated_at >= now() - INTERVAL '24 hours'");
    s.cache_hit_rate_percent = cache[0][0].as<double>();
    s.cache_entries_24h = cache[0][1].as<std::int64_t>();
    s.top_role_patterns_json = tx.exec_params(
      "SELECT COALESCE(json_agg(json_build_object('role', role, 'query_template', query_template,"
      " 'frequency', frequency, 'success_rate', success_rate) ORDER BY role, frequency DESC), '[]')"
      " FROM (SELECT target_id AS role, query_template, frequency, success_rate,"
      " row_number() OVER (PARTITION BY target_id ORDER BY frequency DESC, id) AS n"
      " FROM query_patterns WHERE pattern_type = 'role_based'"
      " AND COALESCE((metadata->>'distinct_users')::int, 0) >= $1) p WHERE n <= 10",
      min_users)[0][0].as<std::string>();
    s.activity_breakdown_json = tx.exec(
      "SELECT COALESCE(json_agg(json_build_object('activity_type', activity_type, 'count', n,"
      " 'unique_users', u) ORDER BY n DESC), '[]') FROM (SELECT activity_type, COUNT(*) AS n,"
      " COUNT(DISTINCT user_id) AS u FROM user_activity"
      " WHERE created_at >= now() - INTERVAL '7 days' GROUP BY activity_type) b")[0][0]
                                  .as<std::string>();
    // Activity over time, per UTC day (today and the 13 days before), for the dashboard's chart.
    s.activity_by_day_json = tx.exec(
      "SELECT COALESCE(json_agg(json_build_object('day', to_char(d, 'YYYY-MM-DD'), 'activity_type',"
      " activity_type, 'count', n) ORDER BY d, activity_type), '[]') FROM (SELECT"
      " date_trunc('day', created_at AT TIME ZONE 'UTC') AS d, activity_type, COUNT(*) AS n"
      " FROM user_activity WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC')"
      " AT TIME ZONE 'UTC' - INTERVAL '13 days' GROUP BY 1, 2) b")[0][0]
                              .as<std::string>();
    // Click-through: clicks over impressions (served lists), not over queries.
    s.click_through_json = tx.exec(
      "WITH acts AS (SELECT user_id, COUNT(*) FILTER (WHERE activity_type = 'query') AS queries,"
      "   COUNT(suggestion_clicked) FILTER (WHERE activity_type = 'suggestion_click') AS clicks"
      "   FROM user_activity WHERE activity_type IN ('query', 'suggestion_click')"
      "   AND created_at >= now() - INTERVAL '30 days' GROUP BY user_id),"
      " imps AS (SELECT user_id, SUM(lists) AS impressions FROM suggestion_impressions"
      "   WHERE served_at >= now() - INTERVAL '30 days' GROUP BY user_id),"
      " joined AS (SELECT user_id, COALESCE(a.queries, 0) AS queries, COALESCE(a.clicks, 0) AS clicks,"
      "   COALESCE(i.impressions, 0) AS impressions FROM acts a FULL JOIN imps i USING (user_id))"
      " SELECT COALESCE(json_agg(json_build_object('user_id', user_id, 'total_queries', queries,"
      " 'clicked_suggestions', clicks, 'impressions', impressions, 'click_through_rate',"
      " CASE WHEN impressions > 0 THEN round(clicks::numeric / impressions, 4)::float8 END)"
      " ORDER BY CASE WHEN impressions > 0 THEN clicks::float / impressions END DESC NULLS LAST,"
      " user_id), '[]') FROM (SELECT * FROM joined ORDER BY clicks DESC LIMIT 1000) j")[0][0]
                             .as<std::string>();
    // Click-through per ranking strategy (A/B arm): clicks carry their arm in the metadata.
    s.click_through_by_arm_json = tx.exec(
      "WITH c AS (SELECT metadata->>'arm' AS arm, COUNT(*) AS clicks FROM user_activity"
      "   WHERE activity_type = 'suggestion_click' AND metadata ? 'arm'"
      "   AND created_at >= now() - INTERVAL '30 days' GROUP BY 1),"
      " i AS (SELECT arm, SUM(lists) AS impressions FROM suggestion_impressions"
      "   WHERE served_at >= now() - INTERVAL '30 days' AND arm <> '' GROUP BY arm)"
      " SELECT COALESCE(json_agg(json_build_object('strategy', arm, 'impressions',"
      " COALESCE(i.impressions, 0), 'clicked_suggestions', COALESCE(c.clicks, 0),"
      " 'click_through_rate', CASE WHEN i.impressions > 0"
      " THEN round(COALESCE(c.clicks, 0)::numeric / i.impressions, 4)::float8 END) ORDER BY arm),"
      " '[]') FROM c FULL JOIN i USING (arm)")[0][0].as<std::string>();
    return s;
  });
}

} // namespace foresight
