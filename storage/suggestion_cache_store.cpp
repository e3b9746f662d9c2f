// suggestion_cache_store: suggestion_cache, suggestion_pattern_lists, suggestion_impressions.
#include "storage/suggestion_cache_store.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "core/cache_key.hpp"
#include "core/json_writer.hpp"
#include "core/payloads.hpp"
#include "core/suggestions.hpp"
#include "storage/pg_array.hpp"
#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

namespace {

// Expired cache rows, oldest first and a bounded number per statement. The ORDER BY and LIMIT let
// the index on expires_at serve it whatever the statistics say: the plain "expires_at < now()"
// on a large table the planner had not analysed yet became a scan of the whole table (0.2 s at
// 560k rows) on every write-behind batch. A backlog, after an hour's traffic expires, goes over
// several batches instead of one long transaction.
constexpr int expired_per_delete = 1000;
const std::string delete_expired_suggestions =
  "DELETE FROM suggestion_cache WHERE id IN (SELECT id FROM suggestion_cache"
  " WHERE expires_at < now() ORDER BY expires_at LIMIT " + std::to_string(expired_per_delete) + ")";

// A pair of pattern lists is stored again (renewing its used_at) this often while rows name it;
// the purge leaves pairs renewed within the longer period alone, so that a pair the write-behind
// still takes for stored is never deleted under it. Its NOT EXISTS scans the cache table once
// per purge: an index on pattern_lists would cost every write-behind row more than that.
constexpr std::int64_t pattern_lists_renew_ms = 10 * 60 * 1000;
const std::string delete_unused_pattern_lists =
  "DELETE FROM suggestion_pattern_lists l WHERE used_at < now() - interval '15 minutes'"
  " AND NOT EXISTS (SELECT 1 FROM suggestion_cache c"
  " WHERE c.pattern_lists = l.lists_hash AND c.expires_at > now())";


} // namespace

std::vector<cached_suggestions> suggestion_cache_store::load_suggestion_cache(int limit) {
  return translated([&]() -> std::vector<cached_suggestions> {
    pqxx::nontransaction tx{db_.conn()};
    std::vector<cached_suggestions> out;
    auto rows = tx.exec_params(
      "SELECT c.context_hash, COALESCE(c.user_id, ''), c.suggestions::text,"
      " COALESCE(c.connection_id, ''), COALESCE(c.partial_query, ''), l.user_patterns::text,"
      " l.role_patterns::text, COALESCE(c.origin, 'patterns'),"
      " (EXTRACT(EPOCH FROM c.expires_at) * 1000)::bigint, COALESCE(c.hit_count, 0)"
      " FROM suggestion_cache c LEFT JOIN suggestion_pattern_lists l"
      " ON l.lists_hash = c.pattern_lists"
      " WHERE c.expires_at > now() ORDER BY c.expires_at DESC LIMIT $1",
      limit);
    for (const auto& r : rows) {
      if (r[5].is_null() || r[6].is_null())
        continue; // its pattern lists are gone: regenerate rather than serve it without them
      cached_suggestions c;
      c.context_hash = r[0].as<std::string>();
      c.user_id = r[1].as<std::string>();
      if (!parse_suggestions_json(r[2].as<std::string>(), c.list.suggestions) ||
          !parse_string_list(r[5].as<std::string>(), c.list.user_patterns) ||
          !parse_string_list(r[6].as<std::string>(), c.list.role_patterns))
        continue; // written by something else; regenerate rather than serve it
      c.list.connection_id = r[3].as<std::string>();
      c.list.partial_query = r[4].as<std::string>();
      c.list.source = r[7].as<std::string>();
      c.expires_at_ms = r[8].as<std::int64_t>();
      c.hit_count = r[9].as<std::int64_t>();
      out.push_back(std::move(c));
    }
    return out;
  });
}

void suggestion_cache_store::write_suggestion_cache(const cache_writes& w) {
  return translated([&]() -> void {
    pqxx::work tx{db_.conn()};
    // A cache: a crash may lose the last fraction of a second of it, which the next misses
    // regenerate, so its commits need not wait for the WAL flush.
    tx.exec("SET LOCAL synchronous_commit = off");
    if (!w.invalidated_users.empty())
      tx.exec_params("DELETE FROM suggestion_cache WHERE user_id IN"
                     " (SELECT jsonb_array_elements_text($1::jsonb))",
                     json_list(w.invalidated_users));
    // Pattern lists this batch stores, marked stored once it commits.
    std::vector<stored_pattern_lists*> storing;
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
    if (!w.inserts.empty()) {
      // "Auto-cleanup of expired entries on insert" (the spec's caching strategy).
      tx.exec(delete_expired_suggestions);
      if (known_generation_ != db_.generation()) {
        pattern_lists_.clear(); // a new connection: store each pair again once
        known_generation_ = db_.generation();
      }
      auto& known = pattern_lists_;
      if (known.size() > 10000)
        known.clear(); // stored again when next named, which is harmless
      // One array per column, read back with unnest. The last entry for a hash wins (one
      // statement cannot update a row twice).
      pg_array_builder hash, user, suggestions, connection, partial, lists, origin, expires;
      pg_array_builder new_lists, new_user_patterns, new_role_patterns;
      std::unordered_set<std::string_view> seen;
      for (auto i = w.inserts.rbegin(); i != w.inserts.rend(); ++i) {
        auto& c = *i;
        if (!seen.insert(c.context_hash).second)
          continue;
        hash.add(c.context_hash);
        user.add(c.user_id);
        std::string scratch;
        suggestions.add(suggestions_json_of(c.list, scratch));
        connection.add(c.list.connection_id);
        partial.add(c.list.partial_query);
        auto user_json = json_list(c.list.user_patterns), role_json = json_list(c.list.role_patterns);
        auto [pair, added] = known.try_emplace(user_json + '\n' + role_json);
        if (added)
          pair->second.hash = md5_hex(pair->first);
        if (now - pair->second.stored_ms >= pattern_lists_renew_ms &&
            std::find(storing.begin(), storing.end(), &pair->second) == storing.end()) {
          new_lists.add(pair->second.hash);
          new_user_patterns.add(user_json);
          new_role_patterns.add(role_json);
          storing.push_back(&pair->second);
        }
        lists.add(pair->second.hash);
        origin.add(c.list.source);
        expires.add(c.expires_at_ms);
      }
      if (!storing.empty())
        tx.exec_params("INSERT INTO suggestion_pattern_lists (lists_hash, user_patterns,"
                       " role_patterns, used_at)"
                       " SELECT x.h, x.u, x.r, now()"
                       " FROM unnest($1::text[], $2::jsonb[], $3::jsonb[]) AS x(h, u, r)"
                       " ON CONFLICT (lists_hash) DO UPDATE SET used_at = now()",
                       new_lists.take(), new_user_patterns.take(), new_role_patterns.take());
      tx.exec_params(
        "INSERT INTO suggestion_cache (context_hash, user_id, suggestions, connection_id,"
        " partial_query, pattern_lists, origin, generated_at, expires_at, hit_count)"
        " SELECT x.h, x.u, x.s, x.c, x.p, x.l, x.o, now(),"
        " (to_timestamp(x.e / 1000.0) AT TIME ZONE 'UTC'), 0"
        " FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[],"
        " $7::text[], $8::bigint[]) AS x(h, u, s, c, p, l, o, e)"
        " WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = x.u)"
        " ON CONFLICT (context_hash) DO UPDATE SET suggestions = EXCLUDED.suggestions,"
        " user_id = EXCLUDED.user_id, connection_id = EXCLUDED.connection_id,"
        " partial_query = EXCLUDED.partial_query, pattern_lists = EXCLUDED.pattern_lists,"
        " origin = EXCLUDED.origin, generated_at = now(), expires_at = EXCLUDED.expires_at,"
        " hit_count = 0",
        hash.take(), user.take(), suggestions.take(), connection.take(), partial.take(),
        lists.take(), origin.take(), expires.take());
    }
    if (!w.hits.empty()) {
      json_writer hits;
      hits.begin_array();
      for (auto& h : w.hits)
        hits.begin_object().key("h").value(h.context_hash).key("n").value(h.hits).end_object();
      hits.end_array();
      tx.exec_params("UPDATE suggestion_cache c SET hit_count = c.hit_count + x.n"
                     " FROM jsonb_to_recordset($1::jsonb) AS x(h text, n bigint)"
                     " WHERE c.context_hash = x.h",
                     hits.take());
    }
    if (!w.impressions.empty()) {
      json_writer imps;
      imps.begin_array();
      for (auto& i : w.impressions)
        imps.begin_object()
          .key("u").value(i.user_id)
          .key("c").value(i.connection_id)
          .key("s").value(i.source)
          .key("l").value(i.lists)
          .key("n").value(i.suggestions)
          .key("a").value(i.arm)
          .end_object();
      imps.end_array();
      tx.exec_params("INSERT INTO suggestion_impressions (user_id, connection_id, source, lists,"
                     " suggestions, arm)"
                     " SELECT x.u, x.c, x.s, x.l, x.n, x.a FROM jsonb_to_recordset($1::jsonb)"
                     " AS x(u text, c text, s text, l int, n int, a text)"
                     " WHERE EXISTS (SELECT 1 FROM users WHERE id = x.u)",
                     imps.take());
    }
    tx.commit();
    for (auto* p : storing)
      p->stored_ms = now;
  });
}

std::int64_t suggestion_cache_store::purge_expired_suggestions() {
  return translated([&]() -> std::int64_t {
    std::int64_t purged = 0;
    for (;;) {
      pqxx::work tx{db_.conn()};
      auto n = static_cast<std::int64_t>(tx.exec(delete_expired_suggestions).affected_rows());
      if (n < expired_per_delete)
        tx.exec(delete_unused_pattern_lists); // once, after the last expired rows
      tx.commit();
      purged += n;
      if (n < expired_per_delete)
        return purged;
    }
  });
}

} // namespace foresight
