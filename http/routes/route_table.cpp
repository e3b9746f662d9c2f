// The dispatch table, one row per route_id. See route_table.hpp for what each column does.
#include "http/routes/route_table.hpp"

#include <iterator>

namespace foresight {

namespace {

constexpr auto open = route_access::open;
constexpr auto user = route_access::user;

// clang-format off
const route_spec table[] = {
  // id                                  access  conn_id query  body                        handler
  {route_id::healthz,                    open,   false,  false, body_rule::none,            handle_healthz},
  {route_id::readyz,                     open,   false,  false, body_rule::none,            handle_readyz},
  {route_id::metrics,                    open,   false,  false, body_rule::none,            handle_metrics},
  {route_id::openapi_document,           open,   false,  false, body_rule::none,            handle_openapi_document},
  {route_id::auth_token,                 open,   false,  false, body_rule::json,            handle_auth_token},
  {route_id::create_user,                user,   false,  false, body_rule::json,            handle_create_user},
  {route_id::user_password,              user,   false,  false, body_rule::json,            handle_user_password},
  {route_id::audit_log,                  user,   false,  true,  body_rule::none,            handle_audit_log},
  {route_id::list_connections,           user,   false,  false, body_rule::none,            handle_list_connections},
  {route_id::get_connection,             user,   true,   false, body_rule::none,            handle_get_connection},
  {route_id::put_connection,             user,   true,   false, body_rule::json,            handle_put_connection},
  {route_id::log_activity,               user,   false,  false, body_rule::json,            handle_log_activity},
  {route_id::import_activities,          user,   false,  false, body_rule::import_lines,    handle_import_activities},
  {route_id::activity_history,           user,   false,  true,  body_rule::none,            handle_activity_history},
  {route_id::activity_patterns,          user,   false,  true,  body_rule::none,            handle_activity_patterns},
  {route_id::patterns_export,            user,   false,  true,  body_rule::none,            handle_patterns_export},
  {route_id::get_preferences,            user,   false,  false, body_rule::none,            handle_get_preferences},
  {route_id::put_preferences,            user,   false,  false, body_rule::json,            handle_put_preferences},
  {route_id::activity_stats,             user,   false,  false, body_rule::none,            handle_activity_stats},
  {route_id::personalized_suggestions,   user,   true,   true,  body_rule::json_if_present, handle_personalized_suggestions},
  {route_id::erase_activity,             user,   false,  false, body_rule::none,            handle_erase_activity},
  {route_id::delete_user,                user,   false,  false, body_rule::none,            handle_delete_user},
  {route_id::inject_fault,               user,   false,  false, body_rule::none,            handle_inject_fault},
  {route_id::cluster,                    user,   false,  true,  body_rule::none,            handle_cluster},
};
// clang-format on

} // namespace

const route_spec* find_route(route_id id) {
  for (auto& spec : table)
    if (spec.id == id)
      return &spec;
  return nullptr;
}

} // namespace foresight
