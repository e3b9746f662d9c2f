// router: segment-by-segment matching; a table scan is plenty for a dozen routes.
#include "http/router.hpp"

namespace foresight {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1; // skip the leading '/'
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos)
      slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

bool url_decode(std::string_view in, std::string& out, bool form) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size())
        return false; // truncated escape
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0)
        return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && form) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool parse_query_string(std::string_view query, std::map<std::string, std::string>& out) {
  std::size_t start = 0;
  while (start <= query.size()) {
    auto amp = query.find('&', start);
    if (amp == std::string_view::npos)
      amp = query.size();
    auto part = query.substr(start, amp - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      std::string key, value;
      if (!url_decode(part.substr(0, eq), key, true))
        return false;
      if (eq != std::string_view::npos && !url_decode(part.substr(eq + 1), value, true))
        return false;
      out[key] = value;
    }
    start = amp + 1;
  }
  return true;
}

void router::add(std::string method, std::string pattern, route_id id) {
  entry e{std::move(method), std::move(pattern), {}, id};
  for (auto seg : split_path(e.pattern))
    e.segments.emplace_back(seg);
  entries_.push_back(std::move(e));
}

routing_result router::resolve(std::string_view method, std::string_view target) const {
  routing_result result;
  auto path = target.substr(0, target.find('?'));
  if (path.empty() || path[0] != '/')
    return result;
  auto segments = split_path(path);
  for (auto& e : entries_) {
    if (e.segments.size() != segments.size())
      continue;
    std::vector<std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      auto& want = e.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        std::string decoded;
        match = !segments[i].empty() && url_decode(segments[i], decoded, false);
        params.push_back(std::move(decoded));
      } else {
        match = want == segments[i];
      }
    }
    if (!match)
      continue;
    if (e.method == method) {
      result.kind = routing_result::found;
      result.id = e.id;
      result.pattern = e.pattern;
      result.params = std::move(params);
      return result;
    }
    result.kind = routing_result::method_not_allowed;
    if (result.allow.find(e.method) == std::string::npos)
      result.allow += (result.allow.empty() ? "" : ", ") + e.method;
    result.pattern = e.pattern;
  }
  return result;
}

std::vector<std::pair<std::string, std::string>> router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& e : entries_)
    out.emplace_back(e.method, e.pattern);
  return out;
}

const router& api_router() {
  static const router r = [] {
    router t;
    t.add("GET", "/healthz", route_id::healthz);
    t.add("GET", "/readyz", route_id::readyz);
    t.add("GET", "/metrics", route_id::metrics);
    t.add("GET", "/openapi.json", route_id::openapi_document);
    t.add("POST", "/api/v1/auth/token", route_id::auth_token);
    t.add("POST", "/api/v1/users", route_id::create_user);
    t.add("PUT", "/api/v1/users/{user_id}/password", route_id::user_password);
    t.add("GET", "/api/v1/audit", route_id::audit_log);
    t.add("GET", "/api/v1/connections", route_id::list_connections);
    t.add("GET", "/api/v1/connections/{connection_id}", route_id::get_connection);
    t.add("PUT", "/api/v1/connections/{connection_id}", route_id::put_connection);
    t.add("POST", "/api/v1/activity/log", route_id::log_activity);
    t.add("POST", "/api/v1/activity/import", route_id::import_activities);
    t.add("GET", "/api/v1/activity/history", route_id::activity_history);
    t.add("DELETE", "/api/v1/activity", route_id::erase_activity);
    t.add("DELETE", "/api/v1/users/{user_id}", route_id::delete_user);
    t.add("POST", "/api/v1/debug/fault/{target}", route_id::inject_fault);
    t.add("GET", "/api/v1/cluster", route_id::cluster);
    t.add("GET", "/api/v1/activity/patterns", route_id::activity_patterns);
    t.add("GET", "/api/v1/activity/patterns/export", route_id::patterns_export);
    t.add("GET", "/api/v1/activity/preferences", route_id::get_preferences);
    t.add("PUT", "/api/v1/activity/preferences", route_id::put_preferences);
    t.add("GET", "/api/v1/activity/stats", route_id::activity_stats);
    t.add("POST", "/api/v1/connections/{connection_id}/suggestions/personalized",
          route_id::personalized_suggestions);
    return t;
  }();
  return r;
}

} // namespace foresight
