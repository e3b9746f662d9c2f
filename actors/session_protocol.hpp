// The protocol of user sessions and of the registry shards that own them: what a client asks a
// user's session, what the session hears besides, and the shard's envelope around the requests.
// In one header because each side names the other (a session asks its shard to retire it).
#pragma once
#include <caf/typed_actor.hpp>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "actors/typed_forwarding.hpp"

namespace foresight {

/// What a client asks of a user's session. Every user may: their profile, preferences (read,
/// update), suggestions, logging an activity, their own history and learned patterns, reading
/// catalogs, erasing their own data (`(erase_atom, target user, delete account, rebuild days)`;
/// another user's, or an account, only an admin). Only an admin: stats, adding a user, writing a
/// catalog, the audit log; others get `forbidden`. A session whose user cannot be loaded answers
/// everything with the reason (`unauthorized` for a user that no longer exists).
using session_requests = caf::typed_actor<
  caf::replies_to<profile_atom>::with<user_profile>,
  caf::replies_to<prefs_get_atom>::with<suggestion_preferences>,
  caf::replies_to<prefs_put_atom, preferences_update>::with<suggestion_preferences>,
  caf::replies_to<suggest_atom, suggestion_request>::with<suggestion_list>,
  caf::replies_to<log_atom, activity_row>::with<logged_activity>,
  caf::replies_to<history_atom, history_query>::with<activity_page>,
  caf::replies_to<patterns_atom, patterns_query>::with<patterns_view>,
  caf::replies_to<cat_get_atom, std::string>::with<connection_catalog>,
  caf::replies_to<cat_list_atom>::with<catalog_list>,
  caf::replies_to<erase_atom, std::string, bool, std::int32_t>::with<erase_report>,
  caf::replies_to<stats_atom>::with<stats_report>,
  caf::replies_to<user_add_atom, new_user>::with<user_profile>,
  caf::replies_to<cat_put_atom, connection_catalog>::with<connection_catalog>,
  caf::replies_to<audit_atom, history_query>::with<activity_page>>;

/// A session: the requests, and from its registry shard the user's committed activities that it
/// did not log itself (`learned_atom`) and `stop_atom` (retired, after everything the shard
/// forwarded before); catalog versions from `foresight.catalog_versions`.
using session_actor = session_requests::extend<
  caf::reacts_to<learned_atom, learn_batch>,
  caf::reacts_to<catalog_changed_atom, std::string, std::int32_t>,
  caf::reacts_to<stop_atom>>;

/// `(placement_changed_atom, live node ids, this node's id)`: the shard retires the sessions of
/// users that rendezvous hashing now places on another node.
using placement_changed_atom = caf::atom_constant<caf::atom("placed")>;
/// A registry shard's timer: retire the sessions idle for the timeout.
using session_sweep_atom = caf::atom_constant<caf::atom("sweep")>;

/// A registry shard: `(for_user_atom, user_id, <session request>)` for a user placed on it (the
/// user's session, made on first use, answers the requester directly); `(idle_atom, user_id)`
/// from a session that could not load its user; `(forget_atom, user_id)` retires a user's
/// session (erased); placement changes; committed activities from `foresight.learned`, passed on
/// to their users' live sessions.
using session_registry_actor = keyed_router_interface<
  for_user_atom, std::string, session_requests,
  caf::reacts_to<idle_atom, std::string>,
  caf::reacts_to<forget_atom, std::string>,
  caf::reacts_to<placement_changed_atom, std::vector<std::string>, std::string>,
  caf::reacts_to<learned_atom, learn_batch>,
  caf::reacts_to<session_sweep_atom>>::type;

} // namespace foresight
