// The actor system of foresightd behind the `backend` interface that the HTTP front end calls.
// CAF stays inside app.cpp: this header is safe to include anywhere.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "ports/backend.hpp"

namespace foresight {

/// Owns the CAF actor system, the storage pool and the session placement.
class actor_app : public backend {
public:
  /// `conninfo` is the libpq connection string; `jwt_secret` signs the tokens this app issues.
  actor_app(const config& cfg, std::string conninfo, std::string jwt_secret);
  ~actor_app() override;

  /// Stops every actor and waits for them; idempotent.
  void shutdown();

  using password_change_fn = std::function<void(const std::string& user_id, std::int64_t at)>;
  /// In a cluster, `f` hears of password changes made through other nodes (on a CAF thread).
  void on_password_changed_elsewhere(password_change_fn f);

  void issue_token(credentials creds, callback<token_grant> done) override;
  void create_user(std::string caller, new_user user, callback<user_profile> done) override;
  void change_password(std::string caller, password_change change,
                       callback<std::int64_t> done) override;
  void audit_log(std::string caller, history_query query, callback<activity_page> done) override;
  void put_catalog(std::string caller, connection_catalog catalog,
                   callback<connection_catalog> done) override;
  void get_catalog(std::string caller, std::string id, callback<connection_catalog> done) override;
  void list_catalogs(std::string caller, callback<catalog_list> done) override;
  void readiness(callback<readiness_report> done) override;
  void patterns(std::string caller, patterns_query query, callback<patterns_view> done) override;
  void log_activity(std::string caller, activity_row row,
                    callback<logged_activity> done) override;
  void activity_history(std::string caller, history_query query,
                        callback<activity_page> done) override;
  void preferences(std::string caller, callback<suggestion_preferences> done) override;
  void update_preferences(std::string caller, preferences_update update,
                          callback<suggestion_preferences> done) override;
  void suggest(std::string caller, suggestion_request request,
               callback<suggestion_list> done) override;
  void stats(std::string caller, callback<stats_report> done) override;
  void erase_user(std::string caller, std::string user_id, bool delete_account,
                  callback<erase_report> done) override;
  void inject_fault(std::string caller, std::string target, callback<bool> done) override;
  void cluster(std::string caller, std::string owner_of_user,
               callback<cluster_report> done) override;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace foresight
