// Operating the service: health and readiness, metrics, the OpenAPI document, the monitoring
// figures, the audit trail, the cluster's members and (tests only) fault injection.
#include "core/metrics.hpp"
#include "core/payloads.hpp"
#include "core/views.hpp"
#include "http/openapi_document.hpp"
#include "http/routes/route_table.hpp"

namespace foresight {

void handle_healthz(route_context&, route_call& call) {
  call.reply(json_response(200, R"({"status":"ok"})"));
}

void handle_openapi_document(route_context&, route_call& call) {
  auto r = json_response(200, std::string(openapi_document()));
  r.headers.emplace_back("Cache-Control", "no-cache");
  call.reply(std::move(r));
}

void handle_metrics(route_context&, route_call& call) {
  auto r = json_response(200, metrics_registry::instance().render());
  r.content_type = "text/plain; version=0.0.4";
  call.reply(std::move(r));
}

/// Not an error reply: a readiness report, 200 when ready, else 503 with Retry-After.
void handle_readyz(route_context& ctx, route_call& call) {
  // The callback outlives `call` (whose request and route are references): it keeps copies.
  ctx.app.readiness([respond = call.respond, route = call.route.pattern](
                      outcome<readiness_report> r) {
    json_writer w;
    bool ready = !r.error && r.value.database_reachable && r.value.migrations_applied;
    w.begin_object().key("status").value(ready ? "ready" : "not_ready");
    w.key("database").value(!r.error && r.value.database_reachable ? "reachable"
                                                                    : "unreachable");
    w.key("schema_version").value(static_cast<std::int64_t>(r.value.schema_version));
    if (r.error)
      w.key("detail").value(r.error.message);
    else if (!r.value.detail.empty())
      w.key("detail").value(r.value.detail);
    w.end_object();
    auto out = json_response(ready ? 200 : 503, w.take());
    if (!ready)
      out.headers.emplace_back("Retry-After", "1");
    out.route = route;
    respond(std::move(out));
  });
}

void handle_activity_stats(route_context& ctx, route_call& call) {
  ctx.app.stats(call.user, call.reply_with<stats_report>([](stats_report& r) {
    return json_response(200, stats_json(r));
  }));
}

void handle_audit_log(route_context& ctx, route_call& call) {
  history_query q;
  if (auto e = parse_history_query(call.query, q))
    return call.fail(e);
  auto limit = q.limit;
  ctx.app.audit_log(call.user, std::move(q),
                    call.reply_with<activity_page>([limit](activity_page& p) {
                      json_writer w;
                      w.begin_object();
                      write_page(w, "entries", p, limit);
                      w.end_object();
                      return json_response(200, w.take());
                    }));
}

void handle_cluster(route_context& ctx, route_call& call) {
  // `user` (optional): whose session's owner to report; an empty one is none.
  std::string user;
  if (auto i = call.query.find("user"); i != call.query.end() && !i->second.empty()) {
    if (!is_valid_identifier(i->second))
      return call.fail(make_error(error_code::validation_failed,
                                  "user may contain only letters, digits and _ . @ -", "user"));
    user = i->second;
  }
  ctx.app.cluster(call.user, std::move(user),
                  call.reply_with<cluster_report>([](cluster_report& r) {
                    return json_response(200, cluster_json(r));
                  }));
}

void handle_inject_fault(route_context& ctx, route_call& call) {
  if (!ctx.cfg.fault_injection)
    return call.fail(make_error(error_code::not_found, "no route for POST " + call.route.pattern));
  ctx.app.inject_fault(call.user, call.param(0), call.reply_with<bool>([](bool) {
    return json_response(202, R"({"injected":true})");
  }));
}

} // namespace foresight
