// session_manager: the registry of live sessions. Only the manager forwards to sessions, so a
// session it has retired (erased, then sent `stop`) handles everything forwarded before the stop.
#include "actors/session_manager.hpp"

#include <unordered_map>

#include "actors/messages.hpp"
#include "actors/session_actor.hpp"

namespace foresight {

namespace {

struct session_manager_state {
  std::unordered_map<std::string, caf::actor> sessions;
  static inline const char* name = "session_manager";
};

caf::behavior session_manager(caf::stateful_actor<session_manager_state>* self,
                              session_peers peers, session_settings defaults) {
  peers.manager = caf::actor_cast<caf::actor>(self);
  auto retire = [=](const std::string& user_id) {
    auto i = self->state.sessions.find(user_id);
    // A late notice from an already replaced session must not retire its successor.
    if (i == self->state.sessions.end() ||
        i->second.address() != caf::actor_cast<caf::actor_addr>(self->current_sender()))
      return;
    self->send(i->second, stop_atom::value);
    self->state.sessions.erase(i);
  };
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& s = self->state.sessions;
    for (auto i = s.begin(); i != s.end(); ++i)
      if (i->second.address() == dm.source) {
        s.erase(i);
        return;
      }
  });
  self->set_exit_handler([=](caf::exit_msg& em) {
    for (auto& kv : self->state.sessions)
      self->send_exit(kv.second, em.reason);
    self->state.sessions.clear();
    self->quit(em.reason);
  });
  // `(for_user_atom, user_id, op...)`: strip the envelope and let the session answer.
  self->set_default_handler([=](caf::scheduled_actor*, caf::message_view& x)
                              -> caf::result<caf::message> {
    auto msg = x.move_content_to_message();
    if (msg.size() < 3 || !msg.match_element<caf::atom_value>(0) ||
        msg.get_as<caf::atom_value>(0) != for_user_atom::value ||
        !msg.match_element<std::string>(1))
      return caf::sec::unexpected_message;
    auto user_id = msg.get_as<std::string>(1);
    auto& session = self->state.sessions[user_id];
    if (!session) {
      auto settings = defaults;
      settings.user_id = user_id;
      session = self->spawn<caf::monitored>(session_actor, settings, peers);
    }
    auto rp = self->make_response_promise();
    rp.delegate(session, msg.drop(2));
    return rp;
  });
  return {
    [=](idle_atom, const std::string& user_id) { retire(user_id); },
  };
}

} // namespace

caf::actor spawn_session_manager(caf::actor_system& sys, const session_peers& peers,
                                 const session_settings& defaults) {
  return sys.spawn(session_manager, peers, defaults);
}

} // namespace foresight
