// What every route handler gets: the shared services (route_context) and one request's state
// (route_call), with the few helpers the handlers share. Free of Beast, like the handlers.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "core/config.hpp"
#include "core/json_writer.hpp"
#include "core/model.hpp"
#include "core/rate_limiter.hpp"
#include "core/token_cache.hpp"
#include "core/token_revocations.hpp"
#include "http/handlers.hpp"
#include "http/router.hpp"
#include "ports/activity_importer.hpp"
#include "ports/backend.hpp"

namespace foresight {

using respond_fn = std::function<void(response)>;

/// The services the routes share, for the life of api_handlers.
struct route_context {
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

  route_context(backend& a, const config& c, std::string jwt_secret,
                std::shared_ptr<activity_importer> i);

  /// 0 if a login (or password change) by `username` from `address` may go ahead, else the
  /// seconds to wait; an attempt refused by one limit is not charged to the other.
  int admit_login(const std::string& address, const std::string& username);
};

/// One request on its way through a handler: the request (a route may move its body out), the
/// matched route, the caller (empty on public routes) and the decoded query string (for routes
/// whose table entry reads one).
struct route_call {
  request_view& req;
  const routing_result& route;
  std::string user;
  std::map<std::string, std::string> query;
  respond_fn respond;

  /// Answers `err` in the one error shape (error_response), tagged with route and user.
  void fail(const api_error& err) const;
  /// Answers `r` as it is, tagged with route and user.
  void reply(response r) const;
  /// A backend callback: an error becomes error_response, a value goes through `shape`.
  template <class T, class Shape>
  callback<T> reply_with(Shape shape) const {
    return [respond = respond, route = route.pattern, user = user,
            shape = std::move(shape)](outcome<T> r) {
      response out = r.error ? error_response(r.error) : shape(r.value);
      out.route = route;
      out.user_id = user;
      respond(std::move(out));
    };
  }
  /// The path parameter at `i` (pattern order).
  const std::string& param(std::size_t i = 0) const { return route.params[i]; }
};

/// Every handler has this signature; errors it finds go through `call.fail`.
using route_handler = void (*)(route_context& ctx, route_call& call);

/// A JSON response with `status`.
response json_response(int status, std::string body);

/// A page of rows: `"<items_key>":[...],"count":N,"next_before_id":id|null`,
/// into an open object. Where the next page starts, when this one is full.
void write_page(json_writer& w, const char* items_key, const activity_page& p, std::int32_t limit);

} // namespace foresight
