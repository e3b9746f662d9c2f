// session_actor: loads the profile first (nothing else is handled until it arrives), then checks
// permissions and hands storage work to the pool.
#include "actors/session_actor.hpp"

#include "actors/messages.hpp"
#include "core/metrics.hpp"

namespace foresight {

namespace {

struct session_state {
  user_profile profile;
};

caf::error forbidden() {
  return to_caf_error(make_error(error_code::forbidden, "this operation needs an admin user"));
}

} // namespace

caf::behavior session_actor(caf::event_based_actor* base, session_settings settings,
                            caf::actor storage, caf::actor manager) {
  auto self = static_cast<caf::event_based_actor*>(base);
  auto state = std::make_shared<session_state>();
  auto& alive = metrics_registry::instance().get_gauge("foresight_sessions_alive",
                                                       "user session actors alive");
  alive.add(1);
  self->attach_functor([&alive] { alive.add(-1); });
  auto user_id = settings.user_id;
  auto idle = std::chrono::milliseconds(settings.idle_timeout_ms);
  // `await` holds back every other message until the profile is known.
  self->request(storage, std::chrono::seconds(10), user_get_atom::value, user_id)
    .await(
      [=](user_profile& p) { state->profile = std::move(p); },
      [=](caf::error& err) {
        // The user is gone or the database is down: answer everything queued with the reason,
        // then ask to be retired so the next request tries afresh.
        auto api = to_api_error(err);
        if (api.code == error_code::not_found)
          api = make_error(error_code::unauthorized, "the token's user no longer exists");
        auto reason = to_caf_error(api);
        self->set_default_handler([=](caf::scheduled_actor*, caf::message_view&)
                                    -> caf::result<caf::message> { return reason; });
        self->become([=](stop_atom) { self->quit(); });
        self->send(manager, idle_atom::value, user_id);
      });
  auto admin_only = [=](auto... msg) -> caf::result<caf::message> {
    if (!state->profile.is_admin)
      return forbidden();
    auto rp = self->make_response_promise();
    rp.delegate(storage, msg...);
    return rp;
  };
  return {
    [=](profile_atom) { return state->profile; },
    [=](user_add_atom a, new_user& nu) { return admin_only(a, std::move(nu)); },
    [=](cat_put_atom a, connection_catalog& c) { return admin_only(a, std::move(c)); },
    [=](cat_get_atom a, std::string& id) { return admin_only(a, std::move(id)); },
    [=](cat_list_atom a) { return admin_only(a); },
    [=](stop_atom) { self->quit(); },
    caf::after(idle) >> [=] { self->send(manager, idle_atom::value, user_id); },
  };
}

} // namespace foresight
