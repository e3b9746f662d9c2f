// The dispatch table: for each route_id its handler and the common steps the dispatcher
// (http/handlers.cpp) runs before it, in this order: bearer token and per-user rate limit
// (`access`), connection id check (`connection_id_param`), query string decoding (`query`),
// Content-Type check (`body`). Admin-only routes are checked by the backend, not here.
#pragma once
#include "http/routes/route_context.hpp"

namespace foresight {

/// Who may call a route.
enum class route_access {
  open, ///< no token, no per-user rate limit (health, metrics, the document, login)
  user, ///< a valid bearer token, then the per-user rate limit
};

/// What Content-Type the body must have.
enum class body_rule {
  none,            ///< not checked
  json,            ///< application/json, else 415
  json_if_present, ///< application/json when the body is not empty
  import_lines,    ///< application/x-ndjson, application/json or text/plain, else 415
};

struct route_spec {
  route_id id;
  route_access access;
  bool connection_id_param; ///< path parameter 0 is a connection id, checked (422) before the body
  bool query;               ///< decodes the query string into route_call::query (400 if malformed)
  body_rule body;
  route_handler handler;
};

/// The entry for `id`, or nullptr if no route has one (tests/http/route_table_test.cpp checks
/// that every route of api_router() has exactly one).
const route_spec* find_route(route_id id);

// The handlers, by resource (http/routes/<resource>_routes.cpp).
// auth_routes.cpp
void handle_auth_token(route_context&, route_call&);
void handle_create_user(route_context&, route_call&);
void handle_user_password(route_context&, route_call&);
// catalog_routes.cpp
void handle_list_connections(route_context&, route_call&);
void handle_get_connection(route_context&, route_call&);
void handle_put_connection(route_context&, route_call&);
// activity_routes.cpp
void handle_log_activity(route_context&, route_call&);
void handle_import_activities(route_context&, route_call&);
void handle_activity_history(route_context&, route_call&);
void handle_erase_activity(route_context&, route_call&);
void handle_delete_user(route_context&, route_call&);
// pattern_routes.cpp
void handle_activity_patterns(route_context&, route_call&);
void handle_patterns_export(route_context&, route_call&);
// preference_routes.cpp
void handle_get_preferences(route_context&, route_call&);
void handle_put_preferences(route_context&, route_call&);
// suggestion_routes.cpp
void handle_personalized_suggestions(route_context&, route_call&);
// operations_routes.cpp
void handle_healthz(route_context&, route_call&);
void handle_readyz(route_context&, route_call&);
void handle_metrics(route_context&, route_call&);
void handle_openapi_document(route_context&, route_call&);
void handle_activity_stats(route_context&, route_call&);
void handle_audit_log(route_context&, route_call&);
void handle_inject_fault(route_context&, route_call&);
void handle_cluster(route_context&, route_call&);

} // namespace foresight
