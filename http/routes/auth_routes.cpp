// Accounts: login (POST /api/v1/auth/token), new users, password changes.
#include "core/payloads.hpp"
#include "core/views.hpp"
#include "http/routes/route_table.hpp"

namespace foresight {

void handle_auth_token(route_context& ctx, route_call& call) {
  credentials creds;
  if (auto err = parse_credentials(call.req.body, creds))
    return call.fail(err);
  if (auto wait = ctx.admit_login(call.req.remote_address, creds.username); wait > 0) {
    auto err = make_error(error_code::rate_limited, "too many login attempts; slow down");
    err.retry_after_seconds = wait;
    return call.fail(err);
  }
  ctx.app.issue_token(std::move(creds), call.reply_with<token_grant>([](token_grant& g) {
    json_writer w;
    w.begin_object()
      .key("access_token").value(g.access_token)
      .key("token_type").value("bearer")
      .key("expires_in").value(g.expires_in)
      .key("user").begin_object()
        .key("id").value(g.user_id)
        .key("role").value(g.role)
        .key("is_admin").value(g.is_admin)
        .end_object()
      .end_object();
    return json_response(200, w.take());
  }));
}

void handle_create_user(route_context& ctx, route_call& call) {
  new_user nu;
  if (auto e = parse_new_user(call.req.body, nu))
    return call.fail(e);
  ctx.app.create_user(call.user, std::move(nu), call.reply_with<user_profile>([](user_profile& u) {
    json_writer w;
    write_user(w, u);
    return json_response(201, w.take());
  }));
}

void handle_user_password(route_context& ctx, route_call& call) {
  password_change change;
  if (auto e = parse_password_change(call.req.body, change))
    return call.fail(e);
  change.user_id = call.param(0);
  // Guessing a current password through a stolen token is a login attempt too (an admin's reset
  // checks no password, so it is not limited here).
  if (auto wait = change.current_password.empty()
                    ? 0
                    : ctx.admit_login(call.req.remote_address, "id:" + call.user);
      wait > 0) {
    auto e = make_error(error_code::rate_limited, "too many password attempts; slow down");
    e.retry_after_seconds = wait;
    return call.fail(e);
  }
  auto target = change.user_id;
  ctx.app.change_password(
    call.user, std::move(change),
    call.reply_with<std::int64_t>([&ctx, target](std::int64_t& changed_at) {
      ctx.revocations.password_changed(target, changed_at);
      json_writer w;
      w.begin_object().key("success").value(true).key("user_id").value(target).end_object();
      return json_response(200, w.take());
    }));
}

} // namespace foresight
