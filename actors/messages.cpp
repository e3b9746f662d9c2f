// Type registration and the error bridge between api_error and caf::error.
#include "actors/messages.hpp"

namespace foresight {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<user_profile>("foresight::user_profile");
  cfg.add_message_type<new_user>("foresight::new_user");
  cfg.add_message_type<credentials>("foresight::credentials");
  cfg.add_message_type<login_record>("foresight::login_record");
  cfg.add_message_type<password_change_list>("foresight::password_change_list");
  cfg.add_message_type<token_grant>("foresight::token_grant");
  cfg.add_message_type<catalog_metric>("foresight::catalog_metric");
  cfg.add_message_type<catalog_dimension>("foresight::catalog_dimension");
  cfg.add_message_type<catalog_entity>("foresight::catalog_entity");
  cfg.add_message_type<connection_catalog>("foresight::connection_catalog");
  cfg.add_message_type<catalog_list>("foresight::catalog_list");
  cfg.add_message_type<readiness_report>("foresight::readiness_report");
  cfg.add_message_type<activity_row>("foresight::activity_row");
  cfg.add_message_type<logged_activity>("foresight::logged_activity");
  cfg.add_message_type<import_line_error>("foresight::import_line_error");
  cfg.add_message_type<import_report>("foresight::import_report");
  cfg.add_message_type<activity_batch>("foresight::activity_batch");
  cfg.add_message_type<batch_receipt>("foresight::batch_receipt");
  cfg.add_message_type<commit_report>("foresight::commit_report");
  cfg.add_message_type<history_query>("foresight::history_query");
  cfg.add_message_type<activity_page>("foresight::activity_page");
  cfg.add_message_type<learned_activity>("foresight::learned_activity");
  cfg.add_message_type<learn_batch>("foresight::learn_batch");
  cfg.add_message_type<pattern_row>("foresight::pattern_row");
  cfg.add_message_type<pattern_shard_state>("foresight::pattern_shard_state");
  cfg.add_message_type<patterns_query>("foresight::patterns_query");
  cfg.add_message_type<patterns_view>("foresight::patterns_view");
  cfg.add_message_type<suggestion_preferences>("foresight::suggestion_preferences");
  cfg.add_message_type<preferences_update>("foresight::preferences_update");
  cfg.add_message_type<suggestion>("foresight::suggestion");
  cfg.add_message_type<suggestion_request>("foresight::suggestion_request");
  cfg.add_message_type<pattern_hint>("foresight::pattern_hint");
  cfg.add_message_type<pattern_hints>("foresight::pattern_hints");
  cfg.add_message_type<ranked_question>("foresight::ranked_question");
  cfg.add_message_type<suggestion_job>("foresight::suggestion_job");
  cfg.add_message_type<suggestion_list>("foresight::suggestion_list");
  cfg.add_message_type<cached_suggestions>("foresight::cached_suggestions");
  cfg.add_message_type<std::vector<cached_suggestions>>("std::vector<foresight::cached_suggestions>");
  cfg.add_message_type<impression>("foresight::impression");
  cfg.add_message_type<cache_hit>("foresight::cache_hit");
  cfg.add_message_type<cache_writes>("foresight::cache_writes");
  cfg.add_message_type<llm_usage_row>("foresight::llm_usage_row");
  cfg.add_message_type<std::vector<llm_usage_row>>("std::vector<foresight::llm_usage_row>");
  cfg.add_message_type<usage_stats>("foresight::usage_stats");
  cfg.add_message_type<suggestion_service_stats>("foresight::suggestion_service_stats");
  cfg.add_message_type<llm_call>("foresight::llm_call");
  cfg.add_message_type<llm_answer>("foresight::llm_answer");
  cfg.add_message_type<stats_report>("foresight::stats_report");
  cfg.add_message_type<crowd_question>("foresight::crowd_question");
  cfg.add_message_type<crowd_view>("foresight::crowd_view");
  cfg.add_message_type<erase_report>("foresight::erase_report");
  cfg.add_message_type<cluster_member_report>("foresight::cluster_member_report");
  cfg.add_message_type<cluster_report>("foresight::cluster_report");
}

caf::error to_caf_error(const api_error& err) {
  return caf::make_error(err.code, err.message, err.field);
}

api_error to_api_error(const caf::error& err) {
  if (err.category() == caf::atom("foresight")) {
    api_error out;
    out.code = static_cast<error_code>(err.code());
    auto& ctx = err.context();
    if (ctx.match_elements<std::string, std::string>()) {
      out.message = ctx.get_as<std::string>(0);
      out.field = ctx.get_as<std::string>(1);
    }
    if (out.code == error_code::unavailable)
      out.retry_after_seconds = 1;
    return out;
  }
  if (err == caf::sec::request_timeout)
    return make_error(error_code::timeout, "the server did not answer in time");
  if (err == caf::sec::request_receiver_down)
    return make_error(error_code::unavailable, "the server is restarting a component; retry");
  return make_error(error_code::internal, "internal error");
}

} // namespace foresight
