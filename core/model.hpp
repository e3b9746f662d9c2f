// Domain value types shared by http/, actors/ and storage/. Plain structs with `inspect`, so that
// CAF can serialize them (a session may live on another node) without this header including CAF.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/patterns.hpp"

namespace foresight {

// -- users and tokens ---------------------------------------------------------

/// A user as stored in `users`, without the password hash.
struct user_profile {
  std::string id;
  std::string username;
  std::string role;
  std::string department;
  std::string goals_json = "[]"; ///< JSON array text, as stored in JSONB
  bool is_admin = false;
  std::string created_at; ///< ISO 8601, UTC
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_profile& x) {
  return f(x.id, x.username, x.role, x.department, x.goals_json, x.is_admin, x.created_at);
}

/// What an erase removed: `DELETE /api/v1/activity` (the caller's data) or
/// `DELETE /api/v1/users/{id}` (an admin deleting a user with everything of theirs).
struct erase_report {
  std::string user_id;
  bool account_deleted = false;
  std::int64_t activities = 0;
  std::int64_t patterns = 0; ///< the user's own patterns (shared ones are recomputed without them)
  std::int64_t cached_suggestions = 0;
  bool preferences = false; ///< a preferences row was removed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, erase_report& x) {
  return f(x.user_id, x.account_deleted, x.activities, x.patterns, x.cached_suggestions,
           x.preferences);
}

/// What `user add` and `POST /api/v1/users` create.
struct new_user {
  std::string id;
  std::string username; ///< defaults to id
  std::string password;
  std::string role;
  std::string department;
  std::string goals_json = "[]";
  bool is_admin = false;
  std::string password_hash; ///< filled off the storage threads, which store it as it is
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, new_user& x) {
  return f(x.id, x.username, x.password, x.role, x.department, x.goals_json, x.is_admin,
           x.password_hash);
}

/// Username and password presented to `POST /api/v1/auth/token`.
struct credentials {
  std::string username;
  std::string password;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credentials& x) {
  return f(x.username, x.password);
}

/// When each user last changed their password (Unix seconds): tokens issued before are revoked.
struct password_change_list {
  std::vector<std::pair<std::string, std::int64_t>> items;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, password_change_list& x) {
  return f(x.items);
}

/// A user found by username with the stored password hash, to check a login against; an unknown
/// username comes back with an empty `user.id`.
struct login_record {
  user_profile user;
  std::string password_hash;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, login_record& x) {
  return f(x.user, x.password_hash);
}

/// `PUT /api/v1/users/{id}/password`: an admin's reset, or a user's own change (which needs the
/// current password).
struct password_change {
  std::string user_id;
  std::string password;
  std::string current_password;
};

/// A signed bearer token handed to a client.
struct token_grant {
  std::string access_token;
  std::int64_t expires_in = 0;
  std::string user_id;
  std::string role;      ///< so that a client knows what to show without another request
  bool is_admin = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_grant& x) {
  return f(x.access_token, x.expires_in, x.user_id, x.role, x.is_admin);
}

// -- connection catalogs ------------------------------------------------------

struct catalog_metric {
  std::string name;
  std::string display_name;
  std::string description;
  std::string aggregation;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_metric& x) {
  return f(x.name, x.display_name, x.description, x.aggregation);
}

struct catalog_dimension {
  std::string name;
  std::string display_name;
  std::string type;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_dimension& x) {
  return f(x.name, x.display_name, x.type);
}

struct catalog_entity {
  std::string name;
  std::string display_name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_entity& x) {
  return f(x.name, x.display_name);
}

/// What a data connection offers to ask about; suggestions and templates are built from it.
struct connection_catalog {
  std::string id;
  std::string name;
  std::vector<catalog_metric> metrics;
  std::vector<catalog_dimension> dimensions;
  std::vector<catalog_entity> entities;
  std::int32_t version = 0; ///< grows by one on every PUT
  std::string created_at;
  std::string updated_at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connection_catalog& x) {
  return f(x.id, x.name, x.metrics, x.dimensions, x.entities, x.version, x.created_at,
           x.updated_at);
}

/// All catalogs, for `GET /api/v1/connections`.
struct catalog_list {
  std::vector<connection_catalog> items;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_list& x) {
  return f(x.items);
}

// -- activity -----------------------------------------------------------------

/// One activity on its way to `user_activity`. Optional columns are empty strings / 0 for NULL.
struct activity_row {
  std::string user_id;
  std::string role;           ///< set by the session, for the learners
  std::string connection_id;  ///< metadata.connection_id, if any
  std::int64_t rated_activity_id = 0; ///< feedback: metadata.activity_id, if any
  std::string activity_type;
  std::string query_text;
  bool has_query_text = false;
  std::string response_data_json; ///< compact JSON object, empty for NULL
  std::string suggestion_clicked;
  bool has_suggestion_clicked = false;
  std::int32_t feedback_rating = 0; ///< 1-5, 0 for NULL
  std::string metadata_json = "{}";
  std::string idempotency_key; ///< empty: none
  /// ISO 8601 UTC (`2026-01-05T09:14:00Z`, as normalised by the parsers); empty: now. Only
  /// imports and --replay-clock set it.
  std::string created_at;
  /// The session instance that logged it, which learns it at the ack; 0: an import.
  std::uint64_t session_serial = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, activity_row& x) {
  return f(x.user_id, x.role, x.connection_id, x.rated_activity_id, x.activity_type, x.query_text,
           x.has_query_text, x.response_data_json, x.suggestion_clicked,
           x.has_suggestion_clicked, x.feedback_rating, x.metadata_json, x.idempotency_key,
           x.created_at, x.session_serial);
}

/// The acknowledgement of a committed activity.
struct logged_activity {
  std::int64_t id = 0;
  std::string activity_type;
  bool replayed = false; ///< an earlier request with the same Idempotency-Key stored it
  std::string not_stored; ///< non-empty: this row was not stored (id 0), and why
  bool retry = false;     ///< with not_stored: a later try may succeed (503), not never (422)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, logged_activity& x) {
  return f(x.id, x.activity_type, x.replayed, x.not_stored, x.retry);
}

/// Rows committed together in one transaction by an activity writer.
struct activity_batch {
  std::vector<activity_row> rows;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, activity_batch& x) {
  return f(x.rows);
}

/// One acknowledgement per row of a batch, in the batch's order.
struct batch_receipt {
  std::vector<logged_activity> items;
  std::vector<learned_activity> learned; ///< the newly stored learnable rows, for the learners
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_receipt& x) {
  return f(x.items, x.learned);
}

/// What a committer did with the rows it took from its writer's queue: one entry per row, in the
/// writer's order from `first_seq`.
struct commit_report {
  std::uint64_t first_seq = 0;
  std::vector<logged_activity> items; ///< each row's receipt, or why it was not stored
  /// Per row, 1: the row's request fails as a whole (it expired unsent, its batch failed, or the
  /// node stopped storing activities), rather than getting its receipt.
  std::vector<std::uint8_t> failed;
  std::uint32_t batch_rows = 0; ///< rows sent to the database together (the others never were)
  std::string batch_error;      ///< non-empty: that batch failed, and why
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, commit_report& x) {
  return f(x.first_seq, x.items, x.failed, x.batch_rows, x.batch_error);
}

/// `GET /api/v1/activity/history` parameters.
struct history_query {
  std::string user_id;
  std::string activity_type; ///< empty: all types
  std::int32_t limit = 100;
  std::int64_t before_id = 0; ///< 0: from the newest
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_query& x) {
  return f(x.user_id, x.activity_type, x.limit, x.before_id);
}

/// One user_activity row as the history route shows it. A NULL text has its has_ flag false, a
/// NULL rating is 0, a NULL JSON column is "null".
struct activity_record {
  std::int64_t id = 0;
  std::string user_id;
  std::string activity_type;
  std::string query_text;
  bool has_query_text = false;
  std::string response_data_json = "null";
  std::string suggestion_clicked;
  bool has_suggestion_clicked = false;
  std::int32_t feedback_rating = 0;
  std::string metadata_json = "null";
  std::string created_at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, activity_record& x) {
  return f(x.id, x.user_id, x.activity_type, x.query_text, x.has_query_text,
           x.response_data_json, x.suggestion_clicked, x.has_suggestion_clicked,
           x.feedback_rating, x.metadata_json, x.created_at);
}

/// One audit_log row.
struct audit_entry {
  std::int64_t id = 0;
  std::string created_at;
  std::string actor;
  std::string action;
  std::string target;
  std::string detail_json = "{}";
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_entry& x) {
  return f(x.id, x.created_at, x.actor, x.action, x.target, x.detail_json);
}

/// A page of the activity history or of the audit trail, newest first; only the list of the
/// route asked is filled (one page type keeps the backend's interface as it was).
struct activity_page {
  std::vector<activity_record> activities;
  std::vector<audit_entry> audit_entries;
  std::int64_t last_id = 0; ///< id of the oldest row on the page
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, activity_page& x) {
  return f(x.activities, x.audit_entries, x.last_id);
}

// -- patterns -------------------------------------------------------------------

/// `GET /api/v1/activity/patterns` parameters; user and role come from the session.
struct patterns_query {
  std::string user_id;
  std::string role;
  std::int32_t limit = 10;
  std::int32_t min_users = 2; ///< k: role patterns need this many distinct users
  bool all = false;           ///< export: every pattern, no limit
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, patterns_query& x) {
  return f(x.user_id, x.role, x.limit, x.min_users, x.all);
}

/// One row of query_patterns, every column, for the patterns route. The columns the learners
/// always write are never NULL; for the others a negative number or an empty time is NULL.
struct stored_pattern {
  std::int64_t id = 0;
  std::string pattern_type;
  std::string target_id;
  std::string query_template;
  std::int64_t frequency = 0;
  double success_rate = -1;      ///< negative: NULL
  double avg_response_time = -1; ///< negative: NULL (no query carried a time)
  std::string last_used;         ///< ISO 8601; empty: NULL
  std::string metadata_json = "null";
  std::string created_at; ///< ISO 8601; empty: NULL
  std::string updated_at; ///< ISO 8601; empty: NULL
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_pattern& x) {
  return f(x.id, x.pattern_type, x.target_id, x.query_template, x.frequency, x.success_rate,
           x.avg_response_time, x.last_used, x.metadata_json, x.created_at, x.updated_at);
}

/// The user's and the role's patterns.
struct patterns_view {
  std::vector<stored_pattern> user_patterns;
  std::vector<stored_pattern> role_patterns;
  std::int64_t user_pattern_count = 0;
  std::int64_t role_pattern_count = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, patterns_view& x) {
  return f(x.user_patterns, x.role_patterns, x.user_pattern_count, x.role_pattern_count);
}

// -- suggestion preferences -------------------------------------------------------

/// The most suggestions one list may hold (the spec's 1-12).
constexpr std::int32_t max_suggestion_count = 12;

/// A user's suggestion preferences (`user_suggestion_preferences`); defaults until first PUT.
struct suggestion_preferences {
  std::string user_id;
  std::vector<std::string> preferred_query_types;
  std::vector<std::string> excluded_metrics;
  std::vector<std::string> preferred_metrics;
  std::vector<std::string> preferred_dimensions;
  bool show_advanced_queries = false;
  std::int32_t max_suggestions = 6;
  std::int32_t version = 0; ///< grows by one on every change; part of the cache key
  std::string updated_at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, suggestion_preferences& x) {
  return f(x.user_id, x.preferred_query_types, x.excluded_metrics, x.preferred_metrics,
           x.preferred_dimensions, x.show_advanced_queries, x.max_suggestions, x.version,
           x.updated_at);
}

/// A partial `PUT /api/v1/activity/preferences`: only the fields marked present change.
struct preferences_update {
  std::vector<std::string> preferred_query_types;
  std::vector<std::string> excluded_metrics;
  std::vector<std::string> preferred_metrics;
  std::vector<std::string> preferred_dimensions;
  bool show_advanced_queries = false;
  std::int32_t max_suggestions = 6;
  bool has_query_types = false, has_excluded = false, has_preferred_metrics = false,
       has_preferred_dimensions = false, has_advanced = false, has_max = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, preferences_update& x) {
  return f(x.preferred_query_types, x.excluded_metrics, x.preferred_metrics,
           x.preferred_dimensions, x.show_advanced_queries, x.max_suggestions, x.has_query_types,
           x.has_excluded, x.has_preferred_metrics, x.has_preferred_dimensions, x.has_advanced,
           x.has_max);
}

// -- suggestions ------------------------------------------------------------------

/// One suggestion as the API shows it.
struct suggestion {
  std::string text;
  std::string type; ///< complete, metric, dimension, filter, comparison, ranking, trend, aggregation
  std::string description;
  std::string icon;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, suggestion& x) {
  return f(x.text, x.type, x.description, x.icon);
}

/// `POST /api/v1/connections/{id}/suggestions/personalized` parameters.
struct suggestion_request {
  std::string connection_id;
  std::string partial_query;
  std::int32_t max_suggestions = 0; ///< 0: the user's preference
  /// --replay-clock only: the request's own "now", `YYYY-MM-DDTHH:MM:SSZ`; empty: the real now.
  /// Not part of any cache key.
  std::string as_of;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, suggestion_request& x) {
  return f(x.connection_id, x.partial_query, x.max_suggestions, x.as_of);
}

/// A learned pattern as the suggestion generator uses it (its scope is the list it is in).
struct pattern_hint {
  std::string template_text;
  std::string query_type;
  std::int64_t frequency = 0;
  double success_rate = 1.0;
  double age_days = 0; ///< since last use
  std::int64_t clicks = 0;
  std::int64_t ratings = 0;
  std::int64_t rating_total = 0;
  std::vector<std::string> metrics, dimensions, entities;
};

inline bool operator==(const pattern_hint& a, const pattern_hint& b) {
  return a.template_text == b.template_text && a.query_type == b.query_type &&
         a.frequency == b.frequency && a.success_rate == b.success_rate &&
         a.age_days == b.age_days && a.clicks == b.clicks && a.ratings == b.ratings &&
         a.rating_total == b.rating_total && a.metrics == b.metrics &&
         a.dimensions == b.dimensions && a.entities == b.entities;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pattern_hint& x) {
  return f(x.template_text, x.query_type, x.frequency, x.success_rate, x.age_days,
           x.clicks, x.ratings, x.rating_total, x.metrics, x.dimensions, x.entities);
}

/// The learned patterns a suggestion may build on, each list best first.
struct pattern_hints {
  std::vector<pattern_hint> user;
  std::vector<pattern_hint> role;
  std::vector<pattern_hint> global;
};

inline bool operator==(const pattern_hints& a, const pattern_hints& b) {
  return a.user == b.user && a.role == b.role && a.global == b.global;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pattern_hints& x) {
  return f(x.user, x.role, x.global);
}

/// A question the ranker expects the user to ask next (core/question_ranker).
struct ranked_question {
  std::string text, shape, template_text;
  std::string type;        ///< a suggestion type
  std::string origin;      ///< history, followup, role, similar or global
  std::string description; ///< why it is offered
  double score = 0;        ///< the estimated chance it is the next question
  std::int32_t preference = 0; ///< preferred metrics, dimensions and types it names
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ranked_question& x) {
  return f(x.text, x.shape, x.template_text, x.type, x.origin, x.description, x.score,
           x.preference);
}

/// What a suggestion request asks the cache for; a miss adds the catalog and learned patterns.
struct suggestion_job {
  std::string context_hash;
  std::string user_id;
  std::string role;
  suggestion_request request;
  std::int32_t count = 6; ///< resolved max_suggestions
  suggestion_preferences preferences;
  std::int32_t min_users = 2;
  std::int32_t catalog_version = 0; ///< the version in the context hash; a shard's copy must match
  std::string arm; ///< the ranking strategy the user's answers come from (impressions count it)
  /// The session's ranking, listed before the cached part; `ranking_id` changes with it, so a
  /// shard can keep the merged list while the ranking holds.
  std::vector<ranked_question> ranked;
  std::uint64_t ranking_id = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, suggestion_job& x) {
  return f(x.context_hash, x.user_id, x.role, x.request, x.count, x.preferences, x.min_users,
           x.catalog_version, x.arm, x.ranked, x.ranking_id);
}

/// A served suggestion list: the route's body, before rendering.
struct suggestion_list {
  std::string connection_id;
  std::string partial_query;
  std::vector<suggestion> suggestions;
  std::string source; ///< cached, patterns, llm_with_patterns or llm_fallback
  std::vector<std::string> user_patterns;
  std::vector<std::string> role_patterns;
  /// `suggestions` as JSON when whoever made the list rendered it once for every answer and the
  /// write-behind (empty: render when needed). Whoever changes `suggestions` clears it.
  std::string suggestions_json;
  std::string strategy; ///< the ranking strategy that made the list (the user's arm)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, suggestion_list& x) {
  return f(x.connection_id, x.partial_query, x.suggestions, x.source, x.user_patterns,
           x.role_patterns, x.suggestions_json, x.strategy);
}

/// A cache entry as written behind to (and warmed from) `suggestion_cache`.
struct cached_suggestions {
  std::string context_hash;
  std::string user_id;
  suggestion_list list; ///< source: how it was generated
  std::int64_t expires_at_ms = 0; ///< Unix epoch milliseconds
  std::int64_t hit_count = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cached_suggestions& x) {
  return f(x.context_hash, x.user_id, x.list, x.expires_at_ms, x.hit_count);
}

/// Lists served to one user for one connection from one source since the last flush
/// (click-through needs the denominator; aggregated so that cache hits stay cheap).
struct impression {
  std::string user_id;
  std::string connection_id;
  std::string source;
  std::int64_t lists = 0;
  std::int64_t suggestions = 0;
  std::string arm; ///< the ranking strategy (A/B arm) the lists came from
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, impression& x) {
  return f(x.user_id, x.connection_id, x.source, x.lists, x.suggestions, x.arm);
}

/// Hits on one cache entry since the last write-behind.
struct cache_hit {
  std::string context_hash;
  std::int64_t hits = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_hit& x) {
  return f(x.context_hash, x.hits);
}

/// What the write-behind sends to storage in one go.
struct cache_writes {
  std::vector<cached_suggestions> inserts;
  std::vector<cache_hit> hits;
  std::vector<impression> impressions;
  std::vector<std::string> invalidated_users; ///< delete every entry of these users first

  bool empty() const {
    return inserts.empty() && hits.empty() && impressions.empty() && invalidated_users.empty();
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_writes& x) {
  return f(x.inserts, x.hits, x.impressions, x.invalidated_users);
}

/// LLM usage of one user on one UTC day (the daily budget).
struct llm_usage_row {
  std::string user_id;
  std::int64_t calls = 0, tokens_in = 0, tokens_out = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_usage_row& x) {
  return f(x.user_id, x.calls, x.tokens_in, x.tokens_out);
}

/// `GET /api/v1/activity/stats`: the database figures, each rendered as JSON text.
/// One of a role's most frequent shared patterns.
struct role_pattern_stat {
  std::string role;
  std::string query_template;
  std::int64_t frequency = 0;
  double success_rate = -1; ///< negative: NULL
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, role_pattern_stat& x) {
  return f(x.role, x.query_template, x.frequency, x.success_rate);
}

/// Activities of one type (and, by day, on one UTC day).
struct activity_count {
  std::string day; ///< YYYY-MM-DD; empty in the 7-day breakdown
  std::string activity_type;
  std::int64_t count = 0;
  std::int64_t unique_users = 0; ///< the 7-day breakdown only
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, activity_count& x) {
  return f(x.day, x.activity_type, x.count, x.unique_users);
}

/// Clicks over impressions of one user, or (with `strategy`) of one ranking strategy.
struct click_through {
  std::string user_id;  ///< per user
  std::string strategy; ///< per strategy (A/B arm)
  std::int64_t total_queries = 0; ///< per user only
  std::int64_t clicked_suggestions = 0;
  std::int64_t impressions = 0;
  double rate = -1; ///< clicks / impressions, 4 decimals; negative: no impressions (NULL)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, click_through& x) {
  return f(x.user_id, x.strategy, x.total_queries, x.clicked_suggestions, x.impressions, x.rate);
}

struct usage_stats {
  double cache_hit_rate_percent = 0; ///< spec: entries of the last 24 h hit at least once
  std::int64_t cache_entries_24h = 0;
  std::vector<role_pattern_stat> top_role_patterns;
  std::vector<activity_count> activity_breakdown; ///< the last 7 days, most frequent first
  std::vector<activity_count> activity_by_day;    ///< per UTC day and type, the last 14 days
  std::vector<click_through> click_through_by_user;
  std::vector<click_through> click_through_by_arm; ///< per ranking strategy (A/B arm)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, usage_stats& x) {
  return f(x.cache_hit_rate_percent, x.cache_entries_24h, x.top_role_patterns,
           x.activity_breakdown, x.activity_by_day, x.click_through_by_user,
           x.click_through_by_arm);
}

/// The LLM gateway's and the cache's live counters (since start), for stats and /metrics.
struct suggestion_service_stats {
  bool llm_configured = false;
  bool llm_enabled = false;
  std::string llm_model;
  std::int64_t llm_calls = 0, llm_successes = 0, llm_errors = 0, llm_refused = 0;
  std::int64_t llm_retries = 0, llm_budget_refusals = 0;
  std::int64_t llm_tokens_in = 0, llm_tokens_out = 0;
  std::int64_t llm_daily_calls_per_user = 0;
  std::string llm_breaker = "closed";
  double llm_estimated_cost_usd = 0;
  std::int64_t cache_entries = 0, cache_hits = 0, cache_misses = 0, cache_shared_misses = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, suggestion_service_stats& x) {
  return f(x.llm_configured, x.llm_enabled, x.llm_model, x.llm_calls, x.llm_successes,
           x.llm_errors, x.llm_refused, x.llm_retries, x.llm_budget_refusals, x.llm_tokens_in,
           x.llm_tokens_out, x.llm_daily_calls_per_user, x.llm_breaker, x.llm_estimated_cost_usd,
           x.cache_entries, x.cache_hits, x.cache_misses, x.cache_shared_misses);
}

/// An LLM call as the cache asks the gateway for it.
struct llm_call {
  std::string user_id;
  std::string system_prompt;
  std::string user_prompt;
  std::int64_t deadline_ms = 0; ///< steady-clock-free: milliseconds left when sent
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_call& x) {
  return f(x.user_id, x.system_prompt, x.user_prompt, x.deadline_ms);
}

/// The gateway's answer: the model's content, or why there is none.
struct llm_answer {
  bool ok = false;
  std::string content;
  std::string error; ///< "disabled", "budget", "circuit open", "timeout", "http 500", ...
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_answer& x) {
  return f(x.ok, x.content, x.error);
}

/// `GET /api/v1/activity/stats`: the database figures and the live counters.
struct stats_report {
  usage_stats usage;
  suggestion_service_stats live;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stats_report& x) {
  return f(x.usage, x.live);
}

// -- operations ---------------------------------------------------------------

/// What `/readyz` reports.
struct readiness_report {
  bool database_reachable = false;
  bool migrations_applied = false;
  std::int32_t schema_version = 0;
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, readiness_report& x) {
  return f(x.database_reachable, x.migrations_applied, x.schema_version, x.detail);
}

/// One node of `GET /api/v1/cluster`.
struct cluster_member_report {
  std::string id;
  std::string address;       ///< host:port of its cluster port; empty for the local node
  std::string state;         ///< "alive", "dead" or "unknown"
  std::int64_t last_heard_ms_ago = -1; ///< -1: never, or the local node
  bool local = false;        ///< the node answering
  std::int64_t sessions = -1; ///< live sessions it holds; -1: unknown
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_member_report& x) {
  return f(x.id, x.address, x.state, x.last_heard_ms_ago, x.local, x.sessions);
}

/// `GET /api/v1/cluster`: the members as the answering node sees them, and (when asked for a
/// user) the node owning that user's session.
struct cluster_report {
  std::string node_id;       ///< the answering node ("local" for a single node)
  bool clustered = false;    ///< false: a single node (no --node-id)
  std::uint64_t epoch = 0;   ///< raised by every change of the live set
  std::string learner_host;  ///< the node running the pattern learners
  std::vector<cluster_member_report> members;
  std::string owner_user_id; ///< the user asked for; empty: none
  std::string owner_node;    ///< the node owning that user's session
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_report& x) {
  return f(x.node_id, x.clustered, x.epoch, x.learner_host, x.members, x.owner_user_id,
           x.owner_node);
}

} // namespace foresight
