// The caller's query patterns, as JSON (filtered) or all of them as a JSON or CSV export.
#include "core/payloads.hpp"
#include "core/views.hpp"
#include "http/routes/route_table.hpp"

namespace foresight {

namespace {

void answer_patterns(route_context& ctx, route_call& call, patterns_query q, bool csv) {
  ctx.app.patterns(call.user, std::move(q),
                   call.reply_with<patterns_view>([user = call.user, csv](patterns_view& v) {
                     if (!csv)
                       return json_response(200, patterns_json(user, v));
                     auto r = json_response(200, patterns_csv(v));
                     r.content_type = "text/csv; charset=utf-8";
                     r.headers.emplace_back("Content-Disposition",
                                            "attachment; filename=\"patterns.csv\"");
                     return r;
                   }));
}

} // namespace

void handle_activity_patterns(route_context& ctx, route_call& call) {
  patterns_query q;
  if (auto e = parse_patterns_query(call.query, q))
    return call.fail(e);
  answer_patterns(ctx, call, std::move(q), false);
}

void handle_patterns_export(route_context& ctx, route_call& call) {
  auto it = call.query.find("format");
  std::string format = it != call.query.end() ? it->second : "json";
  if (format != "json" && format != "csv")
    return call.fail(
      make_error(error_code::validation_failed, "format must be json or csv", "format"));
  patterns_query q;
  q.all = true;
  answer_patterns(ctx, call, std::move(q), format == "csv");
}

} // namespace foresight
