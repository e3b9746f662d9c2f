// The caller's suggestion preferences: read, or change some fields.
#include "core/payloads.hpp"
#include "core/preferences.hpp"
#include "core/views.hpp"
#include "http/routes/route_table.hpp"

namespace foresight {

void handle_get_preferences(route_context& ctx, route_call& call) {
  ctx.app.preferences(call.user,
                      call.reply_with<suggestion_preferences>([](suggestion_preferences& p) {
                        json_writer w;
                        write_preferences(w, p);
                        return json_response(200, w.take());
                      }));
}

void handle_put_preferences(route_context& ctx, route_call& call) {
  preferences_update u;
  if (auto e = parse_preferences_update(call.req.body, u))
    return call.fail(e);
  ctx.app.update_preferences(
    call.user, std::move(u), call.reply_with<suggestion_preferences>([](suggestion_preferences& p) {
      json_writer w;
      w.begin_object().key("success").value(true).key("preferences");
      write_preferences(w, p);
      w.end_object();
      return json_response(200, w.take());
    }));
}

} // namespace foresight
