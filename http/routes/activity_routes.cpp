// A user's activity: log one, import many, page through the history, erase it (or the user).
#include "core/activity_import.hpp"
#include "core/payloads.hpp"
#include "core/views.hpp"
#include "http/routes/route_table.hpp"

namespace foresight {

namespace {

/// Erases `target`'s data, and with `account` the user too; a target that cannot be a user id is
/// a 404 before anything reaches the backend.
void erase(route_context& ctx, route_call& call, std::string target, bool account) {
  if (!is_valid_identifier(target))
    return call.fail(make_error(error_code::not_found, "no user with that id"));
  ctx.app.erase_user(call.user, std::move(target), account,
                     call.reply_with<erase_report>([](erase_report& r) {
                       return json_response(200, erase_report_json(r));
                     }));
}

} // namespace

void handle_log_activity(route_context& ctx, route_call& call) {
  activity_row row;
  if (auto e = parse_activity(call.req.body, ctx.cfg.max_query_text_bytes, row,
                              ctx.cfg.replay_clock ? created_at_rule::accept
                                                   : created_at_rule::refuse))
    return call.fail(e);
  if (auto e = check_idempotency_key(call.req.idempotency_key))
    return call.fail(e);
  row.idempotency_key = call.req.idempotency_key;
  ctx.app.log_activity(call.user, std::move(row),
                       call.reply_with<logged_activity>([](logged_activity& ack) {
                         json_writer w;
                         w.begin_object()
                           .key("success").value(true)
                           .key("activity_id").value(ack.id)
                           .key("activity_type").value(ack.activity_type)
                           .end_object();
                         auto r = json_response(200, w.take());
                         if (ack.replayed)
                           r.headers.emplace_back("Idempotent-Replayed", "true");
                         return r;
                       }));
}

void handle_import_activities(route_context& ctx, route_call& call) {
  if (call.req.body.empty())
    return call.fail(make_error(error_code::validation_failed,
                                "the body is empty; send one JSON activity per line", "body"));
  if (!ctx.importer) {
    auto e = make_error(error_code::unavailable, "imports are not available here");
    e.retry_after_seconds = 1;
    return call.fail(e);
  }
  // Permission, parsing and validation happen on the importer's thread, not this one.
  ctx.importer->import_activities(call.user, std::move(call.req.body),
                                  ctx.cfg.max_query_text_bytes,
                                  call.reply_with<import_report>([](import_report& r) {
                                    return json_response(200, import_report_json(r));
                                  }));
}

void handle_activity_history(route_context& ctx, route_call& call) {
  history_query q;
  if (auto e = parse_history_query(call.query, q))
    return call.fail(e);
  auto limit = q.limit;
  ctx.app.activity_history(
    call.user, std::move(q),
    call.reply_with<activity_page>([user = call.user, limit](activity_page& p) {
      json_writer w;
      w.begin_object().key("user_id").value(user);
      write_page(w, "activities", p, limit);
      w.end_object();
      return json_response(200, w.take());
    }));
}

void handle_erase_activity(route_context& ctx, route_call& call) {
  erase(ctx, call, call.user, false);
}

void handle_delete_user(route_context& ctx, route_call& call) {
  erase(ctx, call, call.param(0), true);
}

} // namespace foresight
