// JSON renderings of domain values: the response shapes of the API (and the catalog's stored
// JSONB columns, which use the same shape).
#pragma once
#include <string>

#include "core/errors.hpp"
#include "core/json_writer.hpp"
#include "core/model.hpp"

namespace foresight {

/// `{"error":{"code","message"[,"field"]}}`.
std::string error_json(const api_error& err);

/// A user without secrets.
void write_user(json_writer& w, const user_profile& u);

/// `{"user_id":…,"account_deleted":…,"erased":{"activities":N,"patterns":N,
/// "cached_suggestions":N,"preferences":true}}`
std::string erase_report_json(const erase_report& r);

/// An activity of the history route: every column, NULLs as null.
void write_activity_record(json_writer& w, const activity_record& a);

/// An entry of the audit trail.
void write_audit_entry(json_writer& w, const audit_entry& e);

/// The catalog as PUT accepts it, plus id, version and timestamps.
void write_catalog(json_writer& w, const connection_catalog& c);

/// The body of `PUT /api/v1/connections/{id}`: name, metrics, dimensions, entities.
std::string catalog_body_json(const connection_catalog& c);

/// The patterns route's body: user and role patterns with their counts.
std::string patterns_json(const std::string& user_id, const patterns_view& v);

/// The same patterns as CSV (one row per pattern; cells that a spreadsheet would run as a
/// formula are prefixed with an apostrophe).
std::string patterns_csv(const patterns_view& v);

/// The personalized suggestions route's body (the spec's shape; `count` is the list's length).
std::string suggestion_list_json(const suggestion_list& l);

/// The stats route's body: the spec's four monitoring figures, the cache and the LLM.
std::string stats_json(const stats_report& r);

/// `GET /api/v1/cluster`: `{"node_id","clustered","epoch","learner_host","members":[{"id",
/// "address","state","local","last_heard_ms_ago","sessions"}][,"owner":{"user_id","node"}]}`,
/// -1 figures as null, `owner` only when a user was asked for.
std::string cluster_json(const cluster_report& r);

} // namespace foresight
