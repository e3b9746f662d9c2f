// The boundary between the HTTP front end and the actors: typed operations with callbacks.
// http/ sees only this interface; actors/app.cpp implements it with CAF requests, so neither side
// includes the other's framework. Callbacks may run on any thread.
#pragma once
#include <cstdint>
#include <string>

#include "core/model.hpp"
#include "ports/outcome.hpp"

namespace foresight {

/// What the routes ask of the actor system. `caller` is the user id taken from the token.
class backend {
public:
  virtual ~backend() = default;

  /// Checks username and password (on the password pool: a full pool answers 429 at once); on
  /// success the grant carries a signed token.
  virtual void issue_token(credentials creds, callback<token_grant> done) = 0;
  /// Admin only.
  virtual void create_user(std::string caller, new_user user, callback<user_profile> done) = 0;
  /// An admin sets anyone's password; a user their own, with their current one. Answers the
  /// change's time (Unix seconds): tokens of that user issued before it are revoked.
  virtual void change_password(std::string caller, password_change change,
                               callback<std::int64_t> done) = 0;
  /// Admin only: the audit trail, newest first (`limit` and `before_id` of the query).
  virtual void audit_log(std::string caller, history_query query,
                         callback<activity_page> done) = 0;
  /// Admin only.
  virtual void put_catalog(std::string caller, connection_catalog catalog,
                           callback<connection_catalog> done) = 0;
  virtual void get_catalog(std::string caller, std::string id,
                           callback<connection_catalog> done) = 0;
  virtual void list_catalogs(std::string caller, callback<catalog_list> done) = 0;
  virtual void readiness(callback<readiness_report> done) = 0;
  /// Stores an activity (user id and metadata enrichment are the session's); answers after commit.
  virtual void log_activity(std::string caller, activity_row row,
                            callback<logged_activity> done) = 0;
  /// The caller's own activities, newest first.
  virtual void activity_history(std::string caller, history_query query,
                                callback<activity_page> done) = 0;
  /// The caller's patterns and their role's shared ones (user and role filled in by the session).
  virtual void patterns(std::string caller, patterns_query query,
                        callback<patterns_view> done) = 0;
  /// The caller's suggestion preferences (defaults stored on first read).
  virtual void preferences(std::string caller, callback<suggestion_preferences> done) = 0;
  /// Changes only the fields present in `update`; the caller's cached suggestions go at once.
  virtual void update_preferences(std::string caller, preferences_update update,
                                  callback<suggestion_preferences> done) = 0;
  /// Personalised suggestions for one connection.
  virtual void suggest(std::string caller, suggestion_request request,
                       callback<suggestion_list> done) = 0;
  /// Admin only: the monitoring figures.
  virtual void stats(std::string caller, callback<stats_report> done) = 0;
  /// Erases `user_id`'s activity, patterns, preferences and cached suggestions (the caller's own,
  /// or any user's for an admin); with `delete_account` (admin only) the user goes too. Shared
  /// patterns are recomputed without them.
  virtual void erase_user(std::string caller, std::string user_id, bool delete_account,
                          callback<erase_report> done) = 0;
  /// Admin only, with --fault-injection (tests): one actor of `target` (learner, cache,
  /// storage) fails at once, for its supervisor to restart.
  virtual void inject_fault(std::string caller, std::string target, callback<bool> done) = 0;
  /// Admin only: the cluster's members as this node sees them; with `owner_of_user` (a user id,
  /// or empty) also the node owning that user's session. A single node reports itself alone.
  virtual void cluster(std::string caller, std::string owner_of_user,
                       callback<cluster_report> done) = 0;
};

} // namespace foresight
