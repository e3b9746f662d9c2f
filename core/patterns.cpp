// Pattern bookkeeping: response assessment, the keys an activity touches, and the statistics.
#include "core/patterns.hpp"

#include <simdjson.h>

#include "core/json_writer.hpp"
#include "core/stable_hash.hpp"

namespace foresight {

response_assessment assess_response(std::string_view response_data_json) {
  response_assessment out;
  if (response_data_json.empty())
    return out;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(response_data_json.data(), response_data_json.size()).get(root))
    return out;
  simdjson::dom::element e;
  bool has_data = !root.at_key("data").get(e) && !e.is_null();
  bool has_error = false;
  if (!root.at_key("error").get(e)) {
    bool b = false;
    has_error = !(e.is_null() || (!e.get(b) && !b));
  }
  out.success = has_data && !has_error;
  simdjson::dom::element ms;
  if (!root.at_pointer("/metadata/execution_time_ms").get(ms)) {
    double v = 0;
    if (!ms.get(v) && v >= 0) {
      out.has_time = true;
      out.seconds = v / 1000.0;
    }
  }
  return out;
}

int shard_of(std::string_view type, std::string_view target, int shards) {
  auto h = fnv1a64(target, fnv1a64("\x1f", fnv1a64(type, fnv1a64_legacy_basis)));
  return static_cast<int>(h % static_cast<std::uint64_t>(shards));
}

pattern_row to_row(const pattern_key& key, const pattern_stats& s) {
  pattern_row r;
  r.type = key.type;
  r.target = key.target;
  r.template_text = key.template_text;
  r.frequency = s.frequency;
  r.success_rate = s.success_rate();
  r.avg_response_time = s.avg_response_time();
  r.last_used = s.last_used;
  r.metadata_json = s.metadata_json();
  r.users.assign(s.users.begin(), s.users.end());
  r.learned_through = s.learned_through;
  return r;
}

pattern_stats from_row(const pattern_row& row) {
  pattern_stats s;
  s.frequency = row.frequency;
  s.last_used = row.last_used;
  s.users.insert(row.users.begin(), row.users.end());
  s.learned_through = row.learned_through;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object m;
  if (parser.parse(row.metadata_json.data(), row.metadata_json.size()).get(m))
    return s;
  auto strings = [&](const char* name, std::set<std::string>& out) {
    simdjson::dom::array arr;
    if (!m.at_key(name).get(arr))
      for (auto e : arr) {
        std::string_view v;
        if (!e.get(v))
          out.emplace(v);
      }
  };
  auto text = [&](const char* name, std::string& out) {
    std::string_view v;
    if (!m.at_key(name).get(v))
      out.assign(v.data(), v.size());
  };
  auto integer = [&](const char* name, std::int64_t& out) {
    std::int64_t v = 0;
    if (!m.at_key(name).get(v))
      out = v;
  };
  strings("metrics", s.metrics);
  strings("dimensions", s.dimensions);
  strings("entities", s.entities);
  text("query_type", s.query_type);
  text("example_query", s.example);
  integer("successes", s.successes);
  integer("timed_queries", s.timed);
  integer("clicks", s.clicks);
  integer("ratings", s.ratings);
  integer("rating_total", s.rating_total);
  double total = 0;
  if (!m.at_key("total_response_seconds").get(total))
    s.total_seconds = total;
  return s;
}

bool apply_query(pattern_stats& s, const learned_activity& a, const response_assessment& r,
                 const std::string& query_type, const std::vector<std::string>& metrics,
                 const std::vector<std::string>& dimensions,
                 const std::vector<std::string>& entities, bool keep_example) {
  s.frequency += 1; // exactly one per query
  if (r.success)
    s.successes += 1;
  if (r.has_time) {
    s.timed += 1;
    s.total_seconds += r.seconds;
  }
  s.last_used = a.created_at;
  s.query_type = query_type;
  s.metrics.insert(metrics.begin(), metrics.end());
  s.dimensions.insert(dimensions.begin(), dimensions.end());
  s.entities.insert(entities.begin(), entities.end());
  if (keep_example)
    s.example = a.query_text;
  return s.users.insert(a.user_id).second;
}

std::string pattern_stats::metadata_json() const {
  json_writer w;
  auto list = [&](const char* name, const std::set<std::string>& items) {
    w.key(name).begin_array();
    for (auto& i : items)
      w.value(i);
    w.end_array();
  };
  w.begin_object();
  list("metrics", metrics);
  list("dimensions", dimensions);
  list("entities", entities);
  w.key("query_type").value(query_type);
  if (!example.empty())
    w.key("example_query").value(example);
  w.key("successes").value(successes);
  w.key("timed_queries").value(timed);
  w.key("total_response_seconds").value(total_seconds);
  w.key("clicks").value(clicks);
  w.key("ratings").value(ratings);
  w.key("rating_total").value(rating_total);
  w.key("average_rating");
  ratings ? w.value(double(rating_total) / double(ratings)) : w.null();
  w.key("distinct_users").value(static_cast<std::int64_t>(users.size()));
  w.end_object();
  return w.take();
}

} // namespace foresight
