// Response shapes, written once so that routes and storage agree on them.
#include "core/views.hpp"

#include <simdjson.h>

#include "core/suggestions.hpp"

namespace foresight {

std::string error_json(const api_error& err) {
  json_writer w;
  w.begin_object().key("error").begin_object();
  w.key("code").value(to_string(err.code)).key("message").value(err.message);
  if (!err.field.empty())
    w.key("field").value(err.field);
  w.end_object().end_object();
  return w.take();
}

void write_user(json_writer& w, const user_profile& u) {
  w.begin_object()
    .key("id").value(u.id)
    .key("username").value(u.username)
    .key("role").value(u.role)
    .key("department").value(u.department)
    .key("goals").raw(u.goals_json)
    .key("is_admin").value(u.is_admin)
    .key("created_at").value(u.created_at)
    .end_object();
}

std::string erase_report_json(const erase_report& r) {
  json_writer w;
  w.begin_object()
    .key("user_id").value(r.user_id)
    .key("account_deleted").value(r.account_deleted)
    .key("erased").begin_object()
      .key("activities").value(r.activities)
      .key("patterns").value(r.patterns)
      .key("cached_suggestions").value(r.cached_suggestions)
      .key("preferences").value(r.preferences)
    .end_object()
    .end_object();
  return w.take();
}

namespace {

void write_metrics(json_writer& w, const connection_catalog& c) {
  w.begin_array();
  for (auto& m : c.metrics)
    w.begin_object()
      .key("name").value(m.name)
      .key("display_name").value(m.display_name)
      .key("description").value(m.description)
      .key("aggregation").value(m.aggregation)
      .end_object();
  w.end_array();
}

void write_dimensions(json_writer& w, const connection_catalog& c) {
  w.begin_array();
  for (auto& d : c.dimensions)
    w.begin_object()
      .key("name").value(d.name)
      .key("display_name").value(d.display_name)
      .key("type").value(d.type)
      .end_object();
  w.end_array();
}

void write_entities(json_writer& w, const connection_catalog& c) {
  w.begin_array();
  for (auto& e : c.entities)
    w.begin_object().key("name").value(e.name).key("display_name").value(e.display_name).end_object();
  w.end_array();
}

} // namespace

void write_activity_record(json_writer& w, const activity_record& a) {
  w.begin_object()
    .key("id").value(a.id)
    .key("user_id").value(a.user_id)
    .key("activity_type").value(a.activity_type)
    .key("query_text");
  a.has_query_text ? w.value(a.query_text) : w.null();
  w.key("response_data").raw(a.response_data_json);
  w.key("suggestion_clicked");
  a.has_suggestion_clicked ? w.value(a.suggestion_clicked) : w.null();
  w.key("feedback_rating");
  a.feedback_rating > 0 ? w.value(static_cast<std::int64_t>(a.feedback_rating)) : w.null();
  w.key("metadata").raw(a.metadata_json);
  w.key("created_at").value(a.created_at);
  w.end_object();
}

void write_audit_entry(json_writer& w, const audit_entry& e) {
  w.begin_object()
    .key("id").value(e.id)
    .key("created_at").value(e.created_at)
    .key("actor").value(e.actor)
    .key("action").value(e.action)
    .key("target").value(e.target)
    .key("detail").raw(e.detail_json)
    .end_object();
}

void write_catalog(json_writer& w, const connection_catalog& c) {
  w.begin_object().key("connection_id").value(c.id).key("name").value(c.name);
  w.key("metrics");
  write_metrics(w, c);
  w.key("dimensions");
  write_dimensions(w, c);
  w.key("entities");
  write_entities(w, c);
  w.key("version").value(static_cast<std::int64_t>(c.version));
  w.key("created_at").value(c.created_at).key("updated_at").value(c.updated_at);
  w.end_object();
}

namespace {

/// A number or NULL (negative).
void number_or_null(json_writer& w, double d) {
  d < 0 ? w.null() : w.value(d);
}

void text_or_null(json_writer& w, const std::string& s) {
  s.empty() ? w.null() : w.value(s);
}

void write_pattern(json_writer& w, const stored_pattern& p) {
  w.begin_object()
    .key("id").value(p.id)
    .key("pattern_type").value(p.pattern_type)
    .key("target_id").value(p.target_id)
    .key("query_template").value(p.query_template)
    .key("frequency").value(p.frequency)
    .key("success_rate");
  number_or_null(w, p.success_rate);
  w.key("avg_response_time");
  number_or_null(w, p.avg_response_time);
  w.key("last_used");
  text_or_null(w, p.last_used);
  w.key("metadata").raw(p.metadata_json);
  w.key("created_at");
  text_or_null(w, p.created_at);
  w.key("updated_at");
  text_or_null(w, p.updated_at);
  w.end_object();
}

} // namespace

std::string patterns_json(const std::string& user_id, const patterns_view& v) {
  json_writer w;
  w.begin_object().key("user_id").value(user_id).key("user_patterns").begin_array();
  for (auto& p : v.user_patterns)
    write_pattern(w, p);
  w.end_array().key("role_patterns").begin_array();
  for (auto& p : v.role_patterns)
    write_pattern(w, p);
  w.end_array();
  w.key("user_pattern_count").value(v.user_pattern_count);
  w.key("role_pattern_count").value(v.role_pattern_count);
  w.end_object();
  return w.take();
}

namespace {

void append_csv_cell(std::string& out, std::string_view cell) {
  bool formula = !cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' ||
                                   cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r');
  bool quote = formula || cell.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(cell.data(), cell.size());
    return;
  }
  out.push_back('"');
  if (formula)
    out.push_back('\'');
  for (char c : cell) {
    if (c == '"')
      out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

} // namespace

std::string patterns_csv(const patterns_view& v) {
  std::string out = "id,pattern_type,target_id,query_template,frequency,success_rate,"
                    "avg_response_time,last_used,query_type,distinct_users\r\n";
  auto number = [](double d) {
    if (d < 0)
      return std::string();
    json_writer w;
    w.value(d);
    return w.take();
  };
  simdjson::dom::parser parser;
  for (auto* list : {&v.user_patterns, &v.role_patterns})
    for (auto& p : *list) {
      for (auto& cell : {std::to_string(p.id), p.pattern_type, p.target_id, p.query_template,
                         std::to_string(p.frequency), number(p.success_rate),
                         number(p.avg_response_time), p.last_used}) {
        append_csv_cell(out, cell);
        out.push_back(',');
      }
      // A string member as its text, anything else as its JSON; absent or null: empty.
      simdjson::dom::element metadata, e;
      bool parsed = !parser.parse(p.metadata_json).get(metadata);
      auto member = [&](const char* pointer) {
        std::string_view sv;
        if (!parsed || metadata.at_pointer(pointer).get(e) || e.is_null())
          return std::string();
        if (!e.get(sv))
          return std::string(sv);
        return simdjson::minify(e);
      };
      append_csv_cell(out, member("/query_type"));
      out.push_back(',');
      append_csv_cell(out, member("/distinct_users"));
      out += "\r\n";
    }
  return out;
}

std::string catalog_body_json(const connection_catalog& c) {
  json_writer w;
  w.begin_object().key("name").value(c.name).key("metrics");
  write_metrics(w, c);
  w.key("dimensions");
  write_dimensions(w, c);
  w.key("entities");
  write_entities(w, c);
  w.end_object();
  return w.take();
}

std::string suggestion_list_json(const suggestion_list& l) {
  std::string scratch;
  json_writer w;
  w.begin_object()
    .key("connection_id").value(l.connection_id)
    .key("partial_query").value(l.partial_query)
    .key("suggestions").raw(suggestions_json_of(l, scratch))
    .key("source").value(l.source)
    .key("user_patterns").value(l.user_patterns)
    .key("role_patterns").value(l.role_patterns)
    .key("count").value(static_cast<std::int64_t>(l.suggestions.size()))
    .key("strategy").value(l.strategy)
    .end_object();
  return w.take();
}

std::string stats_json(const stats_report& r) {
  auto& u = r.usage;
  auto& s = r.live;
  json_writer w;
  auto ratio = [](std::int64_t part, std::int64_t whole) {
    return whole > 0 ? double(part) * 100.0 / double(whole) : 0.0;
  };
  w.begin_object();
  w.key("cache").begin_object()
    .key("cache_hit_rate_percent").value(u.cache_hit_rate_percent)
    .key("entries_generated_24h").value(u.cache_entries_24h)
    .key("entries_in_memory").value(s.cache_entries)
    .key("hits_since_start").value(s.cache_hits)
    .key("misses_since_start").value(s.cache_misses)
    .key("shared_misses_since_start").value(s.cache_shared_misses)
    .key("request_hit_rate_percent").value(ratio(s.cache_hits, s.cache_hits + s.cache_misses))
    .end_object();
  auto number_or_null = [&w](double d) { d < 0 ? w.null() : w.value(d); };
  w.key("top_patterns_by_role").begin_array();
  for (auto& p : u.top_role_patterns) {
    w.begin_object()
      .key("role").value(p.role)
      .key("query_template").value(p.query_template)
      .key("frequency").value(p.frequency)
      .key("success_rate");
    number_or_null(p.success_rate);
    w.end_object();
  }
  w.end_array().key("activity_breakdown_7d").begin_array();
  for (auto& a : u.activity_breakdown)
    w.begin_object()
      .key("activity_type").value(a.activity_type)
      .key("count").value(a.count)
      .key("unique_users").value(a.unique_users)
      .end_object();
  w.end_array().key("activity_by_day_14d").begin_array();
  for (auto& a : u.activity_by_day)
    w.begin_object()
      .key("day").value(a.day)
      .key("activity_type").value(a.activity_type)
      .key("count").value(a.count)
      .end_object();
  w.end_array().key("click_through_30d").begin_array();
  for (auto& c : u.click_through_by_user) {
    w.begin_object()
      .key("user_id").value(c.user_id)
      .key("total_queries").value(c.total_queries)
      .key("clicked_suggestions").value(c.clicked_suggestions)
      .key("impressions").value(c.impressions)
      .key("click_through_rate");
    number_or_null(c.rate);
    w.end_object();
  }
  w.end_array().key("click_through_by_strategy_30d").begin_array();
  for (auto& c : u.click_through_by_arm) {
    w.begin_object()
      .key("strategy").value(c.strategy)
      .key("impressions").value(c.impressions)
      .key("clicked_suggestions").value(c.clicked_suggestions)
      .key("click_through_rate");
    number_or_null(c.rate);
    w.end_object();
  }
  w.end_array();
  w.key("llm").begin_object()
    .key("configured").value(s.llm_configured)
    .key("enabled").value(s.llm_enabled)
    .key("model").value(s.llm_model)
    .key("calls").value(s.llm_calls)
    .key("successes").value(s.llm_successes)
    .key("errors").value(s.llm_errors)
    .key("refused").value(s.llm_refused)
    .key("retries").value(s.llm_retries)
    .key("budget_refusals").value(s.llm_budget_refusals)
    .key("daily_calls_per_user").value(s.llm_daily_calls_per_user)
    .key("tokens_in").value(s.llm_tokens_in)
    .key("tokens_out").value(s.llm_tokens_out)
    .key("breaker").value(s.llm_breaker)
    .key("estimated_cost_usd").value(s.llm_estimated_cost_usd)
    .end_object();
  w.end_object();
  return w.take();
}

std::string cluster_json(const cluster_report& r) {
  json_writer w;
  auto count_or_null = [&w](std::int64_t n) { n < 0 ? w.null() : w.value(n); };
  w.begin_object()
    .key("node_id").value(r.node_id)
    .key("clustered").value(r.clustered)
    .key("epoch").value(static_cast<std::int64_t>(r.epoch))
    .key("learner_host").value(r.learner_host)
    .key("members").begin_array();
  for (auto& m : r.members) {
    w.begin_object()
      .key("id").value(m.id)
      .key("address").value(m.address)
      .key("state").value(m.state)
      .key("local").value(m.local)
      .key("last_heard_ms_ago");
    count_or_null(m.last_heard_ms_ago);
    w.key("sessions");
    count_or_null(m.sessions);
    w.end_object();
  }
  w.end_array();
  if (!r.owner_user_id.empty())
    w.key("owner").begin_object()
      .key("user_id").value(r.owner_user_id)
      .key("node").value(r.owner_node)
      .end_object();
  w.end_object();
  return w.take();
}

} // namespace foresight
