// Personalised suggestions for one connection.
#include "core/payloads.hpp"
#include "core/views.hpp"
#include "http/routes/route_table.hpp"

namespace foresight {

void handle_personalized_suggestions(route_context& ctx, route_call& call) {
  suggestion_request sr;
  if (auto e = parse_suggestion_request(call.query, call.req.body, sr, ctx.cfg.replay_clock))
    return call.fail(e);
  sr.connection_id = call.param(0);
  ctx.app.suggest(call.user, std::move(sr), call.reply_with<suggestion_list>([](suggestion_list& l) {
    return json_response(200, suggestion_list_json(l));
  }));
}

} // namespace foresight
