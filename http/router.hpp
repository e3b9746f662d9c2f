// Pure routing: method + path to a route id with its path parameters, or 404 / 405 with Allow.
// Knows nothing of sockets or Beast, so it is unit-tested directly.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace foresight {

/// Every route foresightd serves.
enum class route_id {
  healthz,
  readyz,
  metrics,
  openapi_document,
  auth_token,
  create_user,
  user_password,
  audit_log,
  list_connections,
  get_connection,
  put_connection,
  log_activity,
  import_activities,
  activity_history,
  activity_patterns,
  patterns_export,
  get_preferences,
  put_preferences,
  activity_stats,
  personalized_suggestions,
  erase_activity,
  delete_user,
  inject_fault,
  cluster,
};

/// Outcome of resolving one request target.
struct routing_result {
  enum kind_t { found, not_found, method_not_allowed } kind = not_found;
  route_id id = route_id::healthz;
  std::string pattern;             ///< e.g. "/api/v1/connections/{connection_id}", for metrics
  std::vector<std::string> params; ///< decoded path parameters, in pattern order
  std::string allow;               ///< for 405: "GET, PUT"
};

/// A table of (method, pattern) pairs; `{name}` in a pattern captures one path segment.
class router {
public:
  void add(std::string method, std::string pattern, route_id id);
  /// `target` may carry a query string, which is ignored here.
  routing_result resolve(std::string_view method, std::string_view target) const;
  /// Every (method, pattern), in the order added.
  std::vector<std::pair<std::string, std::string>> routes() const;

private:
  struct entry {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    route_id id;
  };
  std::vector<entry> entries_;
};

/// The router with every route of the API.
const router& api_router();

/// Percent-decodes `in` ('+' as space when `form` is true). False on a bad escape.
bool url_decode(std::string_view in, std::string& out, bool form);

/// Splits `a=1&b=2` (decoded). Later duplicates win. False on a bad escape.
bool parse_query_string(std::string_view query, std::map<std::string, std::string>& out);

} // namespace foresight
