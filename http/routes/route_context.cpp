// route_context and route_call, and the helpers the route files share.
#include "http/routes/route_context.hpp"

#include "core/views.hpp"

namespace foresight {

route_context::route_context(backend& a, const config& c, std::string jwt_secret,
                             std::shared_ptr<activity_importer> i)
  : app(a), cfg(c), tokens(std::move(jwt_secret)),
    limiter(c.rate_limit_per_user, 2 * c.rate_limit_per_user),
    logins_by_address(c.login_rate_per_address, 30 * c.login_rate_per_address),
    logins_by_user(c.login_rate_per_user, 30 * c.login_rate_per_user), importer(std::move(i)) {}

int route_context::admit_login(const std::string& address, const std::string& username) {
  if (auto wait = logins_by_address.admit(address))
    return wait;
  return logins_by_user.admit(username);
}

void route_call::fail(const api_error& err) const {
  reply(error_response(err));
}

void route_call::reply(response r) const {
  r.route = route.pattern;
  r.user_id = user;
  respond(std::move(r));
}

response json_response(int status, std::string body) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

void write_page(json_writer& w, const char* items_key, const activity_page& p,
                std::int32_t limit) {
  w.key(items_key).begin_array();
  for (auto& a : p.activities)
    write_activity_record(w, a);
  for (auto& e : p.audit_entries)
    write_audit_entry(w, e);
  w.end_array();
  auto count = static_cast<std::int64_t>(p.activities.size() + p.audit_entries.size());
  w.key("count").value(count);
  w.key("next_before_id");
  if (count == limit)
    w.value(p.last_id);
  else
    w.null();
}

} // namespace foresight
