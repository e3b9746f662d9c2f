// The actor protocol: atoms naming every operation, the error category, and type registration.
// Message payloads are the plain structs of core/model.hpp, serializable for remote nodes.
#pragma once
#include <caf/all.hpp>

#include "core/activity_import.hpp"
#include "core/crowd_book.hpp"
#include "core/errors.hpp"
#include "core/model.hpp"

CAF_ERROR_CODE_ENUM(foresight::error_code, "foresight")

namespace foresight {

// -- storage operations (answered by storage workers) --
using login_atom = caf::atom_constant<caf::atom("login")>;
using user_get_atom = caf::atom_constant<caf::atom("user_get")>;
using user_add_atom = caf::atom_constant<caf::atom("user_add")>;
using passwd_atom = caf::atom_constant<caf::atom("passwd")>;
/// `(pw_changes)` to the storage pool: every user's last password change (password_change_list).
using password_changes_atom = caf::atom_constant<caf::atom("pw_changes")>;
using audit_atom = caf::atom_constant<caf::atom("audit")>;
using cat_put_atom = caf::atom_constant<caf::atom("cat_put")>;
using cat_get_atom = caf::atom_constant<caf::atom("cat_get")>;
using cat_list_atom = caf::atom_constant<caf::atom("cat_list")>;
using catalog_version_atom = caf::atom_constant<caf::atom("cat_ver")>; ///< asks a catalog's version
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using history_atom = caf::atom_constant<caf::atom("history")>;

// -- patterns (storage side) --
using pat_load_atom = caf::atom_constant<caf::atom("pat_load")>;
using pat_replay_atom = caf::atom_constant<caf::atom("pat_replay")>;
using pat_save_atom = caf::atom_constant<caf::atom("pat_save")>;
using pat_reset_atom = caf::atom_constant<caf::atom("pat_reset")>;
using pat_read_atom = caf::atom_constant<caf::atom("pat_read")>;

// -- pattern learners --
using learn_atom = caf::atom_constant<caf::atom("learn")>;
using catalog_atom = caf::atom_constant<caf::atom("catalog")>;
using rebuild_atom = caf::atom_constant<caf::atom("rebuild")>;
using flush_patterns_atom = caf::atom_constant<caf::atom("pat_flush")>; ///< a shard's save timer

// -- activity writing (answered by the activity writer and its committer) --
using write_atom = caf::atom_constant<caf::atom("write")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;       ///< rows wait: take a batch
using batch_due_atom = caf::atom_constant<caf::atom("batch_due")>; ///< the batch-wait timer expired
using receipts_atom = caf::atom_constant<caf::atom("receipts")>;   ///< a commit_report
using commit_watch_atom = caf::atom_constant<caf::atom("c_watch")>; ///< the stuck-commit check

// -- preferences and suggestions --
using prefs_get_atom = caf::atom_constant<caf::atom("prefs_get")>;
using prefs_put_atom = caf::atom_constant<caf::atom("prefs_put")>;
using suggest_atom = caf::atom_constant<caf::atom("suggest")>;
using hints_atom = caf::atom_constant<caf::atom("hints")>;
using invalidate_atom = caf::atom_constant<caf::atom("invalid")>;
using warm_atom = caf::atom_constant<caf::atom("warm")>;
using cache_load_atom = caf::atom_constant<caf::atom("c_load")>;
using cache_write_atom = caf::atom_constant<caf::atom("c_write")>;
using cache_purge_atom = caf::atom_constant<caf::atom("c_purge")>;
using drain_cache_atom = caf::atom_constant<caf::atom("c_drain")>; ///< shutdown: store pending writes
using llm_atom = caf::atom_constant<caf::atom("llm")>;
using llm_done_atom = caf::atom_constant<caf::atom("llm_done")>;
using llm_usage_atom = caf::atom_constant<caf::atom("llm_usage")>; ///< reads today's usage
using llm_spent_atom = caf::atom_constant<caf::atom("llm_spent")>; ///< adds calls' usage
using flush_usage_atom = caf::atom_constant<caf::atom("use_flush")>; ///< the gateway's save timer
using stats_atom = caf::atom_constant<caf::atom("stats")>;

// -- session routing and lifetime --
using for_user_atom = caf::atom_constant<caf::atom("for_user")>;
using profile_atom = caf::atom_constant<caf::atom("profile")>;
using log_atom = caf::atom_constant<caf::atom("log")>;
using patterns_atom = caf::atom_constant<caf::atom("patterns")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using erase_atom = caf::atom_constant<caf::atom("erase")>;   ///< a user's data goes (erase_report)
using fault_atom = caf::atom_constant<caf::atom("fault")>;   ///< test-only: fail now
using retain_atom = caf::atom_constant<caf::atom("retain")>; ///< drop old result rows
using forget_atom = caf::atom_constant<caf::atom("forget")>; ///< drop what is held of an erased user

// -- what users ask next (sessions, the crowd) --
using questions_atom = caf::atom_constant<caf::atom("questions")>; ///< a user's question history
using crowd_atom = caf::atom_constant<caf::atom("crowd")>;         ///< what others ask
using learned_atom = caf::atom_constant<caf::atom("learned")>;     ///< committed activities, fanned out
using catalog_changed_atom = caf::atom_constant<caf::atom("cat_chg")>; ///< a catalog's new version, published

/// Registers every payload type under a stable name, so that messages survive serialization.
void register_message_types(caf::actor_system_config& cfg);

/// A CAF error carrying an api_error (code, message, field).
caf::error to_caf_error(const api_error& err);

/// The reverse; errors of other categories become `internal`, timeouts `timeout`.
api_error to_api_error(const caf::error& err);

} // namespace foresight
