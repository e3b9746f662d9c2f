// stats_store: the monitoring queries.
#include "storage/stats_store.hpp"

#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

usage_stats stats_store::read_usage_stats(int min_users) {
  return translated([&]() -> usage_stats {
    pqxx::read_transaction tx{db_.conn()};
    usage_stats s;
    // The spec's monitoring queries, plain columns each; the view shapes them.
    auto cache = tx.exec(
      "SELECT COALESCE(COUNT(*) FILTER (WHERE hit_count > 0) * 100.0 / NULLIF(COUNT(*), 0), 0),"
      " COUNT(*) FROM suggestion_cache WHERE generated_at >= now() - INTERVAL '24 hours'");
    s.cache_hit_rate_percent = cache[0][0].as<double>();
    s.cache_entries_24h = cache[0][1].as<std::int64_t>();
    auto rate = [](const pqxx::field& f) { return f.is_null() ? -1.0 : f.as<double>(); };
    for (const auto& r : tx.exec_params(
           "SELECT role, query_template, COALESCE(frequency, 0), success_rate"
           " FROM (SELECT target_id AS role, query_template, frequency, success_rate,"
           " row_number() OVER (PARTITION BY target_id ORDER BY frequency DESC, id) AS n"
           " FROM query_patterns WHERE pattern_type = 'role_based'"
           " AND COALESCE((metadata->>'distinct_users')::int, 0) >= $1) p WHERE n <= 10"
           " ORDER BY role, frequency DESC",
           min_users))
      s.top_role_patterns.push_back(
        {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>(), rate(r[3])});
    for (const auto& r : tx.exec(
           "SELECT activity_type, COUNT(*) AS n, COUNT(DISTINCT user_id) FROM user_activity"
           " WHERE created_at >= now() - INTERVAL '7 days' GROUP BY activity_type ORDER BY n DESC"))
      s.activity_breakdown.push_back(
        {"", r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>()});
    // Activity over time, per UTC day (today and the 13 days before), for the dashboard's chart.
    for (const auto& r : tx.exec(
           "SELECT to_char(d, 'YYYY-MM-DD'), activity_type, n FROM (SELECT"
           " date_trunc('day', created_at AT TIME ZONE 'UTC') AS d, activity_type, COUNT(*) AS n"
           " FROM user_activity WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC')"
           " AT TIME ZONE 'UTC' - INTERVAL '13 days' GROUP BY 1, 2) b ORDER BY d, activity_type"))
      s.activity_by_day.push_back(
        {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>(), 0});
    // Click-through: clicks over impressions (served lists), not over queries.
    for (const auto& r : tx.exec(
      "WITH acts AS (SELECT user_id, COUNT(*) FILTER (WHERE activity_type = 'query') AS queries,"
      "   COUNT(suggestion_clicked) FILTER (WHERE activity_type = 'suggestion_click') AS clicks"
      "   FROM user_activity WHERE activity_type IN ('query', 'suggestion_click')"
      "   AND created_at >= now() - INTERVAL '30 days' GROUP BY user_id),"
      " imps AS (SELECT user_id, SUM(lists) AS impressions FROM suggestion_impressions"
      "   WHERE served_at >= now() - INTERVAL '30 days' GROUP BY user_id),"
      " joined AS (SELECT user_id, COALESCE(a.queries, 0) AS queries, COALESCE(a.clicks, 0) AS clicks,"
      "   COALESCE(i.impressions, 0) AS impressions FROM acts a FULL JOIN imps i USING (user_id))"
      " SELECT user_id, queries, clicks, impressions,"
      " CASE WHEN impressions > 0 THEN round(clicks::numeric / impressions, 4)::float8 END"
      " FROM (SELECT * FROM joined ORDER BY clicks DESC LIMIT 1000) j"
      " ORDER BY CASE WHEN impressions > 0 THEN clicks::float / impressions END DESC NULLS LAST,"
      " user_id"))
      s.click_through_by_user.push_back({r[0].as<std::string>(), "", r[1].as<std::int64_t>(),
                                         r[2].as<std::int64_t>(), r[3].as<std::int64_t>(),
                                         rate(r[4])});
    // Click-through per ranking strategy (A/B arm): clicks carry their arm in the metadata.
    for (const auto& r : tx.exec(
      "WITH c AS (SELECT metadata->>'arm' AS arm, COUNT(*) AS clicks FROM user_activity"
      "   WHERE activity_type = 'suggestion_click' AND metadata ? 'arm'"
      "   AND created_at >= now() - INTERVAL '30 days' GROUP BY 1),"
      " i AS (SELECT arm, SUM(lists) AS impressions FROM suggestion_impressions"
      "   WHERE served_at >= now() - INTERVAL '30 days' AND arm <> '' GROUP BY arm)"
      " SELECT arm, COALESCE(i.impressions, 0), COALESCE(c.clicks, 0),"
      " CASE WHEN i.impressions > 0"
      " THEN round(COALESCE(c.clicks, 0)::numeric / i.impressions, 4)::float8 END"
      " FROM c FULL JOIN i USING (arm) ORDER BY arm"))
      s.click_through_by_arm.push_back({"", r[0].as<std::string>(), 0, r[2].as<std::int64_t>(),
                                        r[1].as<std::int64_t>(), rate(r[3])});
    return s;
  });
}

} // namespace foresight
