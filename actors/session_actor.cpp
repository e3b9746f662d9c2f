// session_actor: loads the profile first (nothing else is handled until it arrives), then checks
// permissions and hands storage work to the pool.
#include "actors/session_actor.hpp"

#include <deque>

#include "actors/messages.hpp"
#include "core/activity.hpp"
#include "core/metrics.hpp"

namespace foresight {

namespace {

struct session_state {
  user_profile profile;
  /// The user's latest committed activities, newest last: the context later work builds on
  /// (which query a feedback rates, what the user just asked).
  std::deque<logged_activity> recent;
};

caf::error forbidden() {
  return to_caf_error(make_error(error_code::forbidden, "this operation needs an admin user"));
}

} // namespace

caf::behavior session_actor(caf::event_based_actor* self, session_settings settings,
                            session_peers peers) {
  auto storage = peers.storage;
  auto writer = peers.writer;
  auto manager = peers.manager;
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
    [=](log_atom, activity_row& row) -> caf::result<logged_activity> {
      // Identity and context come from the session, never from the client.
      row.user_id = user_id;
      row.role = state->profile.role;
      // A rating without a named activity rates the user's latest query.
      if (row.activity_type == "feedback" && row.rated_activity_id == 0)
        for (auto i = state->recent.rbegin(); i != state->recent.rend(); ++i)
          if (i->activity_type == "query") {
            row.rated_activity_id = i->id;
            row.metadata_json = with_member(row.metadata_json, "activity_id", i->id);
            break;
          }
      row.metadata_json = enrich_metadata(row.metadata_json, state->profile);
      auto rp = self->make_response_promise<logged_activity>();
      // No timeout of our own: the writer always answers (commit, failure or overload), and the
      // HTTP requester's deadline still bounds the wait. 0.17 never cancels request timeouts,
      // so a finite one here would cost a stale clock entry per activity.
      self->request(writer, caf::infinite, write_atom::value, std::move(row))
        .then(
          [=](logged_activity& ack) mutable {
            state->recent.push_back(ack);
            if (state->recent.size() > session_recent_activities)
              state->recent.pop_front();
            rp.deliver(std::move(ack));
          },
          [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [=](patterns_atom, patterns_query& q) {
      q.user_id = user_id;
      q.role = state->profile.role;
      return self->delegate(storage, pat_read_atom::value, std::move(q));
    },
    [=](history_atom a, history_query& q) {
      q.user_id = user_id; // one user never sees another's rows
      return self->delegate(storage, a, std::move(q));
    },
    [=](stop_atom) { self->quit(); },
    caf::after(idle) >> [=] { self->send(manager, idle_atom::value, user_id); },
  };
}

} // namespace foresight
