// api_handlers: one function per route, each parsing its input, calling the backend and shaping
// the reply. Errors from anywhere become the one JSON error shape via error_response.
#include "http/handlers.hpp"

#include <ctime>

#include "core/token_cache.hpp"
#include "core/metrics.hpp"
#include "core/payloads.hpp"
#include "core/preferences.hpp"
#include "core/rate_limiter.hpp"
#include "core/token_revocations.hpp"
#include "core/views.hpp"
#include "http/openapi_document.hpp"
#include "http/router.hpp"

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

using respond_fn = std::function<void(response)>;

/// The media type without parameters, lower case.
std::string media_type(const std::string& ct) {
  auto base = ct.substr(0, ct.find(';'));
  while (!base.empty() && base.back() == ' ')
    base.pop_back();
  for (auto& c : base)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return base;
}

bool is_json_content_type(const std::string& ct) {
  return media_type(ct) == "application/json";
}

bool is_import_content_type(const std::string& ct) {
  auto t = media_type(ct);
  return t == "application/x-ndjson" || t == "application/json" || t == "text/plain";
}

response json_response(int status, std::string body) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

/// Adapts a backend callback: errors become error responses, values go through `shape`.
template <class T, class Shape>
callback<T> reply_with(respond_fn respond, std::string route, std::string user, Shape shape) {
  return [respond = std::move(respond), route = std::move(route), user = std::move(user),
          shape = std::move(shape)](outcome<T> r) {
    response out = r.error ? error_response(r.error) : shape(r.value);
    out.route = route;
    out.user_id = user;
    respond(std::move(out));
  };
}

std::string catalog_body(const connection_catalog& c) {
  json_writer w;
  write_catalog(w, c);
  return w.take();
}

/// A page of rows storage rendered: `"<items_key>":[...],"count":N,"next_before_id":id|null`,
/// into an open object. Where the next page starts, when this one is full.
void write_page(json_writer& w, const char* items_key, const activity_page& p,
                std::int32_t limit) {
  w.key(items_key).begin_array();
  for (auto& item : p.items_json)
    w.raw(item);
  w.end_array();
  w.key("count").value(static_cast<std::int64_t>(p.items_json.size()));
  w.key("next_before_id");
  if (static_cast<std::int32_t>(p.items_json.size()) == limit)
    w.value(p.last_id);
  else
    w.null();
}

} // namespace

struct api_handlers::impl {
  backend& app;
  config cfg;
  token_cache tokens;
  token_revocations revocations;
  rate_limiter limiter; ///< requests per user
  /// Login attempts, by client address and by username (guessing one password across many
  /// users, or many passwords for one user); both also bound password changes.
  rate_limiter logins_by_address;
  rate_limiter logins_by_user;
  std::shared_ptr<activity_importer> importer;
  static_site site;

  impl(backend& a, const config& c, std::string s, std::shared_ptr<activity_importer> i,
       static_site st)
    : app(a), cfg(c), tokens(std::move(s)),
      limiter(c.rate_limit_per_user, 2 * c.rate_limit_per_user),
      logins_by_address(c.login_rate_per_address, 30 * c.login_rate_per_address),
      logins_by_user(c.login_rate_per_user, 30 * c.login_rate_per_user),
      importer(std::move(i)), site(std::move(st)) {}

  /// 0 if a login (or password change) by `username` from `address` may go ahead, else the
  /// seconds to wait; an attempt refused by one limit is not charged to the other.
  int admit_login(const std::string& address, const std::string& username) {
    if (auto wait = logins_by_address.admit(address))
      return wait;
    return logins_by_user.admit(username);
  }

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
    auto v = tokens.verify(std::string_view(h).substr(scheme.size()),
                           static_cast<std::int64_t>(std::time(nullptr)));
    if (!v.ok()) {
      err = make_error(error_code::unauthorized,
                       std::string("invalid token: ") + to_string(v.error));
      return {};
    }
    if (revocations.revoked(v.claims.subject, v.claims.issued_at)) {
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
    auto fail = [&](api_error err, std::string user = {}) {
      auto r = error_response(err);
      r.route = route.pattern;
      r.user_id = std::move(user);
      respond(std::move(r));
    };
    // Public routes.
    switch (route.id) {
      case route_id::healthz:
        return respond(tag(json_response(200, R"({"status":"ok"})"), route));
      case route_id::openapi_document: {
        auto r = json_response(200, std::string(openapi_document()));
        r.headers.emplace_back("Cache-Control", "no-cache");
        return respond(tag(std::move(r), route));
      }
      case route_id::metrics: {
        auto r = json_response(200, metrics_registry::instance().render());
        r.content_type = "text/plain; version=0.0.4";
        return respond(tag(std::move(r), route));
      }
      case route_id::readyz:
        app.readiness([respond, route](outcome<readiness_report> r) {
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
          out.route = route.pattern;
          respond(std::move(out));
        });
        return;
      case route_id::auth_token: {
        credentials creds;
        if (auto err = check_json_body(req))
          return fail(err);
        if (auto err = parse_credentials(req.body, creds))
          return fail(err);
        if (auto wait = admit_login(req.remote_address, creds.username); wait > 0) {
          auto err = make_error(error_code::rate_limited, "too many login attempts; slow down");
          err.retry_after_seconds = wait;
          return fail(err);
        }
        app.issue_token(std::move(creds),
                        reply_with<token_grant>(respond, route.pattern, "", [](token_grant& g) {
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
        return;
      }
      default:
        break;
    }
    // Everything under /api/v1 needs a valid token.
    api_error err;
    auto user = authenticate(req, err);
    if (err)
      return fail(err);
    if (auto wait = limiter.admit(user); wait > 0) {
      auto limited = make_error(error_code::rate_limited, "rate limit exceeded; slow down");
      limited.retry_after_seconds = wait;
      return fail(limited, user);
    }
    switch (route.id) {
      case route_id::create_user: {
        new_user nu;
        if (auto e = check_json_body(req))
          return fail(e, user);
        if (auto e = parse_new_user(req.body, nu))
          return fail(e, user);
        app.create_user(user, std::move(nu),
                        reply_with<user_profile>(respond, route.pattern, user, [](user_profile& u) {
                          json_writer w;
                          write_user(w, u);
                          return json_response(201, w.take());
                        }));
        return;
      }
      case route_id::user_password: {
        password_change change;
        if (auto e = check_json_body(req))
          return fail(e, user);
        if (auto e = parse_password_change(req.body, change))
          return fail(e, user);
        change.user_id = route.params[0];
        // Guessing a current password through a stolen token is a login attempt too (an
        // admin's reset checks no password, so it is not limited here).
        if (auto wait = change.current_password.empty()
                          ? 0
                          : admit_login(req.remote_address, "id:" + user);
            wait > 0) {
          auto e = make_error(error_code::rate_limited, "too many password attempts; slow down");
          e.retry_after_seconds = wait;
          return fail(e, user);
        }
        auto target = change.user_id;
        app.change_password(
          user, std::move(change),
          reply_with<std::int64_t>(respond, route.pattern, user,
                                   [this, target](std::int64_t& changed_at) {
                                     revocations.password_changed(target, changed_at);
                                     json_writer w;
                                     w.begin_object()
                                       .key("success").value(true)
                                       .key("user_id").value(target)
                                       .end_object();
                                     return json_response(200, w.take());
                                   }));
        return;
      }
      case route_id::audit_log: {
        history_query q;
        if (auto e = page_query(req, q))
          return fail(e, user);
        auto limit = q.limit;
        app.audit_log(
          user, std::move(q),
          reply_with<activity_page>(respond, route.pattern, user, [limit](activity_page& p) {
            json_writer w;
            w.begin_object();
            write_page(w, "entries", p, limit);
            w.end_object();
            return json_response(200, w.take());
          }));
        return;
      }
      case route_id::put_connection: {
        connection_catalog c;
        if (auto e = check_connection_id(route.params[0]))
          return fail(e, user);
        if (auto e = check_json_body(req))
          return fail(e, user);
        if (auto e = parse_catalog(req.body, c))
          return fail(e, user);
        c.id = route.params[0];
        app.put_catalog(user, std::move(c),
                        reply_with<connection_catalog>(
                          respond, route.pattern, user, [](connection_catalog& stored) {
                            return json_response(stored.version == 1 ? 201 : 200,
                                                 catalog_body(stored));
                          }));
        return;
      }
      case route_id::get_connection:
        if (auto e = check_connection_id(route.params[0]))
          return fail(e, user);
        app.get_catalog(user, route.params[0],
                        reply_with<connection_catalog>(
                          respond, route.pattern, user,
                          [](connection_catalog& c) { return json_response(200, catalog_body(c)); }));
        return;
      case route_id::list_connections:
        app.list_catalogs(user, reply_with<catalog_list>(
                                  respond, route.pattern, user, [](catalog_list& list) {
                                    json_writer w;
                                    w.begin_object().key("connections").begin_array();
                                    for (auto& c : list.items)
                                      write_catalog(w, c);
                                    w.end_array().key("count").value(
                                      static_cast<std::int64_t>(list.items.size()));
                                    w.end_object();
                                    return json_response(200, w.take());
                                  }));
        return;
      case route_id::log_activity: {
        activity_row row;
        if (auto e = check_json_body(req))
          return fail(e, user);
        if (auto e = parse_activity(req.body, cfg.max_query_text_bytes, row,
                                    cfg.replay_clock ? created_at_rule::accept
                                                     : created_at_rule::refuse))
          return fail(e, user);
        if (auto e = check_idempotency_key(req.idempotency_key))
          return fail(e, user);
        row.idempotency_key = req.idempotency_key;
        app.log_activity(user, std::move(row),
                         reply_with<logged_activity>(
                           respond, route.pattern, user, [](logged_activity& ack) {
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
        return;
      }
      case route_id::import_activities: {
        if (!is_import_content_type(req.content_type))
          return fail(make_error(error_code::unsupported_media_type,
                                 "Content-Type must be application/x-ndjson (or application/json, "
                                 "text/plain): one JSON activity per line"),
                      user);
        if (req.body.empty())
          return fail(make_error(error_code::validation_failed,
                                 "the body is empty; send one JSON activity per line", "body"),
                      user);
        if (!importer) {
          auto e = make_error(error_code::unavailable, "imports are not available here");
          e.retry_after_seconds = 1;
          return fail(e, user);
        }
        // Permission, parsing and validation happen on the importer's thread, not this one.
        importer->import_activities(
          user, std::move(req.body), cfg.max_query_text_bytes,
          reply_with<import_report>(respond, route.pattern, user, [](import_report& r) {
            return json_response(200, import_report_json(r));
          }));
        return;
      }
      case route_id::inject_fault: {
        if (!cfg.fault_injection)
          return fail(make_error(error_code::not_found, "no route for POST " + route.pattern),
                      user);
        app.inject_fault(user, route.params[0],
                         reply_with<bool>(respond, route.pattern, user, [](bool) {
                           return json_response(202, R"({"injected":true})");
                         }));
        return;
      }
      case route_id::erase_activity:
      case route_id::delete_user: {
        bool account = route.id == route_id::delete_user;
        std::string target = account ? route.params[0] : user;
        if (!is_valid_identifier(target))
          return fail(make_error(error_code::not_found, "no user with that id"), user);
        app.erase_user(user, std::move(target), account,
                       reply_with<erase_report>(respond, route.pattern, user, [](erase_report& r) {
                         return json_response(200, erase_report_json(r));
                       }));
        return;
      }
      case route_id::activity_history: {
        history_query q;
        if (auto e = page_query(req, q))
          return fail(e, user);
        auto limit = q.limit;
        app.activity_history(
          user, std::move(q),
          reply_with<activity_page>(respond, route.pattern, user, [user, limit](activity_page& p) {
            json_writer w;
            w.begin_object().key("user_id").value(user);
            write_page(w, "activities", p, limit);
            w.end_object();
            return json_response(200, w.take());
          }));
        return;
      }
      case route_id::activity_patterns:
      case route_id::patterns_export: {
        std::map<std::string, std::string> params;
        if (auto e = query_params(req, params))
          return fail(e, user);
        patterns_query q;
        bool csv = false;
        if (route.id == route_id::activity_patterns) {
          if (auto e = parse_patterns_query(params, q))
            return fail(e, user);
        } else {
          auto format = params.count("format") ? params["format"] : "json";
          if (format != "json" && format != "csv")
            return fail(make_error(error_code::validation_failed, "format must be json or csv",
                                   "format"),
                        user);
          csv = format == "csv";
          q.all = true;
        }
        app.patterns(user, std::move(q),
                     reply_with<patterns_view>(respond, route.pattern, user,
                                               [user, csv](patterns_view& v) {
                                                 if (!csv)
                                                   return json_response(200, patterns_json(user, v));
                                                 auto r = json_response(200, patterns_csv(v));
                                                 r.content_type = "text/csv; charset=utf-8";
                                                 r.headers.emplace_back(
                                                   "Content-Disposition",
                                                   "attachment; filename=\"patterns.csv\"");
                                                 return r;
                                               }));
        return;
      }
      case route_id::get_preferences:
      case route_id::put_preferences: {
        bool put = route.id == route_id::put_preferences;
        auto shape = [put](suggestion_preferences& p) {
          json_writer w;
          if (put)
            w.begin_object().key("success").value(true).key("preferences");
          write_preferences(w, p);
          if (put)
            w.end_object();
          return json_response(200, w.take());
        };
        auto done = reply_with<suggestion_preferences>(respond, route.pattern, user, shape);
        if (!put)
          return app.preferences(user, std::move(done));
        preferences_update u;
        if (auto e = check_json_body(req))
          return fail(e, user);
        if (auto e = parse_preferences_update(req.body, u))
          return fail(e, user);
        app.update_preferences(user, std::move(u), std::move(done));
        return;
      }
      case route_id::personalized_suggestions: {
        if (auto e = check_connection_id(route.params[0]))
          return fail(e, user);
        std::map<std::string, std::string> params;
        if (auto e = query_params(req, params))
          return fail(e, user);
        if (!req.body.empty())
          if (auto e = check_json_body(req))
            return fail(e, user);
        suggestion_request sr;
        if (auto e = parse_suggestion_request(params, req.body, sr, cfg.replay_clock))
          return fail(e, user);
        sr.connection_id = route.params[0];
        app.suggest(user, std::move(sr),
                    reply_with<suggestion_list>(respond, route.pattern, user,
                                                [](suggestion_list& l) {
                                                  return json_response(200,
                                                                       suggestion_list_json(l));
                                                }));
        return;
      }
      case route_id::activity_stats:
        app.stats(user, reply_with<stats_report>(respond, route.pattern, user, [](stats_report& r) {
                    return json_response(200, stats_json(r));
                  }));
        return;
      default:
        return fail(make_error(error_code::not_found, "no such route"), user);
    }
  }

  /// A page or asset of the console or API reference, or 304 when the client's copy is current.
  static response static_response(const request_view& req, const static_file& file) {
    response r;
    r.route = "static";
    if (req.method != "GET") {
      r = error_response(make_error(error_code::method_not_allowed,
                                    req.method + " is not allowed here; use GET"));
      r.headers.emplace_back("Allow", "GET");
      return r;
    }
    r.headers = static_site::headers();
    r.headers.emplace_back("ETag", file.etag);
    r.content_type = file.content_type;
    if (etag_matches(req.if_none_match, file.etag))
      r.status = 304;
    else
      r.body = file.body;
    return r;
  }

  static response tag(response r, const routing_result& route) {
    r.route = route.pattern;
    return r;
  }

  /// The decoded query string of `req` (none is fine); a bad escape is a 400.
  /// `limit`, `before_id` (and `activity_type`) of a paged route.
  static api_error page_query(const request_view& req, history_query& q) {
    std::map<std::string, std::string> params;
    if (auto e = query_params(req, params))
      return e;
    return parse_history_query(params, q);
  }

  static api_error query_params(const request_view& req, std::map<std::string, std::string>& out) {
    auto qpos = req.target.find('?');
    if (qpos != std::string::npos && !parse_query_string(req.target.substr(qpos + 1), out))
      return make_error(error_code::bad_request, "malformed query string");
    return {};
  }

  /// Every route naming a connection checks its id before anything reaches the actors or SQL.
  static api_error check_connection_id(const std::string& id) {
    if (!is_valid_identifier(id))
      return make_error(error_code::validation_failed,
                        "connection_id may contain only letters, digits and _ . @ -",
                        "connection_id");
    return {};
  }

  api_error check_json_body(const request_view& req) const {
    if (!is_json_content_type(req.content_type))
      return make_error(error_code::unsupported_media_type,
                        "Content-Type must be application/json");
    return {};
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
  impl_->revocations.password_changed(user_id, changed_at);
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
