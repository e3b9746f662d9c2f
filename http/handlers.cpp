// api_handlers: the dispatcher. It resolves the route, answers 404 / 405 and static files, then
// runs the common steps the route's row in the dispatch table (http/routes/route_table.cpp) asks
// for (token, per-user rate limit, connection id, query string, Content-Type) and calls the
// route's handler (http/routes/<resource>_routes.cpp). Errors from anywhere become the one JSON
// error shape via error_response; core/errors.cpp's http_status is the one code-to-status table.
#include "http/handlers.hpp"

#include <ctime>

#include "core/payloads.hpp"
#include "core/views.hpp"
#include "http/media_type.hpp"
#include "http/router.hpp"
#include "http/routes/route_context.hpp"
#include "http/routes/route_table.hpp"

namespace foresight {

response error_response(const api_error& err) {
  response r;
  r.status = http_status(err.code);
  r.body = error_json(err);
  if (err.retry_after_seconds > 0)
    r.headers.emplace_back("Retry-After", std::to_string(err.retry_after_seconds));
  if (err.code == error_code::unauthorized)
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

namespace {

/// The Content-Type check of `rule`.
api_error check_body(body_rule rule, const request_view& req) {
  switch (rule) {
    case body_rule::none:
      return {};
    case body_rule::json_if_present:
      if (req.body.empty())
        return {};
      [[fallthrough]];
    case body_rule::json:
      if (media_type(req.content_type) != "application/json")
        return make_error(error_code::unsupported_media_type,
                          "Content-Type must be application/json");
      return {};
    case body_rule::import_lines: {
      auto t = media_type(req.content_type);
      if (t != "application/x-ndjson" && t != "application/json" && t != "text/plain")
        return make_error(error_code::unsupported_media_type,
                          "Content-Type must be application/x-ndjson (or application/json, "
                          "text/plain): one JSON activity per line");
      return {};
    }
  }
  return {};
}

/// Every route naming a connection checks its id before anything reaches the actors or SQL.
api_error check_connection_id(const std::string& id) {
  if (!is_valid_identifier(id))
    return make_error(error_code::validation_failed,
                      "connection_id may contain only letters, digits and _ . @ -",
                      "connection_id");
  return {};
}

/// The decoded query string of `req` (none is fine); a bad escape is a 400.
api_error query_params(const request_view& req, std::map<std::string, std::string>& out) {
  auto qpos = req.target.find('?');
  if (qpos != std::string::npos && !parse_query_string(req.target.substr(qpos + 1), out))
    return make_error(error_code::bad_request, "malformed query string");
  return {};
}

} // namespace

struct api_handlers::impl {
  route_context ctx;
  static_site site;

  impl(backend& a, const config& c, std::string s, std::shared_ptr<activity_importer> i,
       static_site st)
    : ctx(a, c, std::move(s), std::move(i)), site(std::move(st)) {}

  /// Verifies the bearer token; returns the user id or fills `err`.
  std::string authenticate(const request_view& req, api_error& err) {
    constexpr std::string_view scheme = "Bearer ";
    const auto& h = req.authorization;
    if (h.empty()) {
      err = make_error(error_code::unauthorized, "missing Authorization: Bearer <token> header");
      return {};
    }
    if (h.size() <= scheme.size() || h.compare(0, scheme.size(), scheme) != 0) {
      err = make_error(error_code::unauthorized, "Authorization must use the Bearer scheme");
      return {};
    }
    auto v = ctx.tokens.verify(std::string_view(h).substr(scheme.size()),
                               static_cast<std::int64_t>(std::time(nullptr)));
    if (!v.ok()) {
      err = make_error(error_code::unauthorized,
                       std::string("invalid token: ") + to_string(v.error));
      return {};
    }
    if (ctx.revocations.revoked(v.claims.subject, v.claims.issued_at)) {
      err = make_error(error_code::unauthorized,
                       "the token was issued before the password changed; log in again");
      return {};
    }
    return v.claims.subject;
  }

  void handle(request_view& req, const respond_fn& respond) {
    auto route = api_router().resolve(req.method, req.target);
    if (route.kind == routing_result::not_found) {
      if (auto* file = site.find(req.target.substr(0, req.target.find('?'))))
        return respond(static_response(req, *file));
      respond(error_response(make_error(error_code::not_found, "no route for " + req.method +
                                                                 " " + req.target.substr(0, 200))));
      return;
    }
    if (route.kind == routing_result::method_not_allowed) {
      auto r = error_response(make_error(error_code::method_not_allowed,
                                         req.method + " is not allowed here; use " + route.allow));
      r.headers.emplace_back("Allow", route.allow);
      r.route = route.pattern;
      respond(std::move(r));
      return;
    }
    route_call call{req, route, {}, {}, respond};
    const route_spec* spec = find_route(route.id);
    if (!spec)
      return call.fail(make_error(error_code::not_found, "no such route"));
    if (spec->access == route_access::user) {
      // Everything under /api/v1 but the login needs a valid token.
      api_error err;
      auto user = authenticate(req, err);
      if (err)
        return call.fail(err);
      call.user = std::move(user);
      if (auto wait = ctx.limiter.admit(call.user); wait > 0) {
        auto limited = make_error(error_code::rate_limited, "rate limit exceeded; slow down");
        limited.retry_after_seconds = wait;
        return call.fail(limited);
      }
    }
    if (spec->connection_id_param)
      if (auto e = check_connection_id(call.param(0)))
        return call.fail(e);
    if (spec->query)
      if (auto e = query_params(req, call.query))
        return call.fail(e);
    if (auto e = check_body(spec->body, req))
      return call.fail(e);
    spec->handler(ctx, call);
  }

  /// A page or asset of the console or API reference, or 304 when the client's copy is current.
  static response static_response(const request_view& req, const static_file& file) {
    if (req.method != "GET") {
      auto refused = error_response(make_error(error_code::method_not_allowed,
                                               req.method + " is not allowed here; use GET"));
      refused.headers.emplace_back("Allow", "GET");
      refused.route = "static";
      return refused;
    }
    response r;
    r.route = "static";
    r.headers = static_site::headers();
    r.headers.emplace_back("ETag", file.etag);
    r.content_type = file.content_type;
    if (etag_matches(req.if_none_match, file.etag))
      r.status = 304;
    else
      r.body = file.body;
    return r;
  }
};

api_handlers::api_handlers(backend& app, const config& cfg, std::string jwt_secret,
                           std::shared_ptr<activity_importer> importer, static_site site)
  : impl_(std::make_unique<impl>(app, cfg, std::move(jwt_secret), std::move(importer),
                                 std::move(site))) {
  // nop
}

api_handlers::~api_handlers() = default;

void api_handlers::password_changed(const std::string& user_id, std::int64_t changed_at) {
  impl_->ctx.revocations.password_changed(user_id, changed_at);
}

void api_handlers::handle(request_view req, std::function<void(response)> respond) {
  try {
    impl_->handle(req, respond);
  } catch (const std::exception&) {
    // A bug in a handler must still produce an answer, never a dropped connection.
    respond(error_response(make_error(error_code::internal, "internal error")));
  }
}

} // namespace foresight
