// The storage pool: detached workers, each owning one libpqxx connection on its own thread, behind
// a supervisor that spreads requests over them and restarts a worker that dies.
#pragma once
#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>
#include <string>
#include <vector>

#include "actors/messages.hpp"

namespace foresight {

/// Every storage operation, answered by one worker (the pool passes each to the next worker).
/// A failure answers an error of the foresight category (not_found, conflict, unavailable with a
/// retry hint, internal); `fault_atom` makes the worker throw (tests, --fault-injection).
using storage_actor = caf::typed_actor<
  // users (the actor id first where the operation is audited)
  caf::replies_to<login_atom, std::string>::with<login_record>, ///< empty record: no such user
  caf::replies_to<user_get_atom, std::string>::with<user_profile>,
  caf::replies_to<user_add_atom, std::string, new_user>::with<user_profile>,
  caf::replies_to<passwd_atom, std::string, std::string, std::string>::with<std::int64_t>,
  caf::replies_to<password_changes_atom>::with<password_change_list>,
  caf::replies_to<erase_atom, std::string, std::string, bool, std::int32_t>::with<erase_report>,
  caf::replies_to<audit_atom, history_query>::with<activity_page>,
  // catalogs
  caf::replies_to<cat_put_atom, std::string, connection_catalog>::with<connection_catalog>,
  caf::replies_to<cat_get_atom, std::string>::with<connection_catalog>,
  caf::replies_to<cat_list_atom>::with<catalog_list>,
  // activities: a user's history page, the learners' replay (after id, page size), a user's
  // latest (user, limit), and the retention of result rows (days, limit)
  caf::replies_to<history_atom, history_query>::with<activity_page>,
  caf::replies_to<pat_replay_atom, std::int64_t, std::int32_t>::with<learn_batch>,
  caf::replies_to<questions_atom, std::string, std::int32_t>::with<learn_batch>,
  caf::replies_to<retain_atom, std::int32_t, std::int32_t>::with<std::int64_t>,
  // patterns: a shard's load and save, the nightly reset (days), reads
  caf::replies_to<pat_load_atom, std::int32_t>::with<pattern_shard_state>,
  caf::replies_to<pat_save_atom, pattern_shard_state>::with<std::int64_t>,
  caf::replies_to<pat_reset_atom, std::int32_t>::with<bool>,
  caf::replies_to<pat_read_atom, patterns_query>::with<patterns_view>,
  /// (user, role, min users, limit per scope, shared scopes too)
  caf::replies_to<hints_atom, std::string, std::string, std::int32_t, std::int32_t, bool>::with<
    pattern_hints>,
  // preferences
  caf::replies_to<prefs_get_atom, std::string>::with<suggestion_preferences>,
  caf::replies_to<prefs_put_atom, suggestion_preferences>::with<suggestion_preferences>,
  // the suggestion cache's table
  caf::replies_to<cache_load_atom, std::int32_t>::with<std::vector<cached_suggestions>>,
  caf::replies_to<cache_write_atom, cache_writes>::with<bool>,
  caf::replies_to<cache_purge_atom>::with<std::int64_t>,
  // LLM usage, stats (min users), readiness
  caf::replies_to<llm_usage_atom>::with<std::vector<llm_usage_row>>,
  caf::replies_to<llm_spent_atom, std::vector<llm_usage_row>>::with<bool>,
  caf::replies_to<stats_atom, std::int32_t>::with<usage_stats>,
  caf::replies_to<ready_atom>::with<readiness_report>,
  caf::reacts_to<fault_atom>>;

/// What the workers need to know.
struct storage_settings {
  std::string conninfo;
  int workers = 4;
  /// The workers store rows keyed to users (session::prefer_index_probes).
  bool prefer_index_probes = false;
};

/// Spawns the supervisor and its workers; exiting it stops the workers.
storage_actor spawn_storage_pool(caf::actor_system& sys, const storage_settings& settings);

} // namespace foresight
