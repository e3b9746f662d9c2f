// Pattern learning as pure bookkeeping: which patterns one activity touches, and how a pattern's
// statistics change. The learner actors hold these values; rebuild replays through the same code,
// so incremental learning and a rebuild cannot disagree.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace foresight {

/// The three kinds of pattern target.
constexpr std::string_view user_specific = "user_specific";
constexpr std::string_view role_based = "role_based";
constexpr std::string_view global_pattern = "global";
/// target_id of global patterns (NULL would defeat the unique key).
constexpr std::string_view global_target = "global";

/// Identifies one pattern row: (pattern_type, target_id, query_template).
struct pattern_key {
  std::string type;
  std::string target;
  std::string template_text;
  bool operator<(const pattern_key& o) const {
    return std::tie(type, target, template_text) < std::tie(o.type, o.target, o.template_text);
  }
  bool operator==(const pattern_key& o) const {
    return type == o.type && target == o.target && template_text == o.template_text;
  }
};

/// For hash maps of patterns (in-process only: not stable across builds).
struct pattern_key_hash {
  std::size_t operator()(const pattern_key& k) const {
    std::hash<std::string_view> h;
    auto x = h(k.template_text);
    x ^= h(k.target) + 0x9e3779b97f4a7c15ULL + (x << 6) + (x >> 2);
    x ^= h(k.type) + 0x9e3779b97f4a7c15ULL + (x << 6) + (x >> 2);
    return x;
  }
};

/// A committed activity as the learners see it.
struct learned_activity {
  std::int64_t id = 0;
  std::string user_id;
  std::string role; ///< from the activity's metadata, as it was when logged
  std::string activity_type;
  std::string query_text;
  std::string response_data_json;
  std::string suggestion_clicked;
  std::int32_t feedback_rating = 0;
  std::int64_t rated_activity_id = 0; ///< feedback: metadata.activity_id, 0 if absent
  std::string rated_query_text;       ///< feedback: that activity's query text, if it is one
  std::string connection_id;
  std::string created_at; ///< ISO 8601
  /// Live rows only: the session that logged it and learned it already (activity_row).
  std::uint64_t session_serial = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, learned_activity& x) {
  return f(x.id, x.user_id, x.role, x.activity_type, x.query_text, x.response_data_json,
           x.suggestion_clicked, x.feedback_rating, x.rated_activity_id, x.rated_query_text,
           x.connection_id, x.created_at, x.session_serial);
}

/// Committed activities for the learners, in id order.
struct learn_batch {
  std::vector<learned_activity> items;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, learn_batch& x) {
  return f(x.items);
}

/// One pattern row as stored: the key, its absolute values and its distinct users.
struct pattern_row {
  std::string type;
  std::string target;
  std::string template_text;
  std::int64_t frequency = 0;
  double success_rate = 1.0;
  double avg_response_time = -1; ///< negative: NULL
  std::string last_used;
  std::string metadata_json = "{}";
  std::vector<std::string> users;
  std::int64_t learned_through = 0; ///< the last activity these values hold
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pattern_row& x) {
  return f(x.type, x.target, x.template_text, x.frequency, x.success_rate, x.avg_response_time,
           x.last_used, x.metadata_json, x.users, x.learned_through);
}

/// A learner shard's durable state: its patterns and the last activity id it applied.
struct pattern_shard_state {
  std::int32_t shard = 0;
  std::int32_t generation = 0; ///< the rebuild generation the state belongs to
  std::int64_t watermark = 0;
  std::vector<pattern_row> rows;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pattern_shard_state& x) {
  return f(x.shard, x.generation, x.watermark, x.rows);
}

/// What a query's response says about it.
struct response_assessment {
  bool success = false;     ///< data present and no error
  bool has_time = false;    ///< metadata.execution_time_ms present
  double seconds = 0;
};

/// Reads `response_data` (compact JSON or empty).
response_assessment assess_response(std::string_view response_data_json);

/// Everything the table holds for one pattern, as absolute values (flushes are idempotent).
struct pattern_stats {
  std::int64_t frequency = 0;
  std::int64_t successes = 0;
  std::int64_t timed = 0;        ///< queries that reported an execution time
  double total_seconds = 0;      ///< sum of those times
  std::string last_used;
  std::string query_type;
  std::set<std::string> metrics, dimensions, entities;
  std::string example;           ///< latest query text; user patterns only (privacy)
  std::int64_t clicks = 0;
  std::int64_t ratings = 0;
  std::int64_t rating_total = 0;
  std::set<std::string> users;   ///< distinct users (role and global patterns)
  std::int64_t learned_through = 0; ///< the last activity applied (a replay skips up to it)

  double success_rate() const { return frequency ? double(successes) / double(frequency) : 1.0; }
  /// Running mean of execution time in seconds; negative when no query reported one.
  double avg_response_time() const { return timed ? total_seconds / double(timed) : -1.0; }
  /// The JSONB `metadata` column.
  std::string metadata_json() const;
};

/// Learner shards; fixed, because each shard's watermark is stored under its number.
constexpr int pattern_shards = 4;

/// The shard owning a target (FNV-1a over type and target: stable across runs and builds).
int shard_of(std::string_view type, std::string_view target, int shards = pattern_shards);

/// The stored row for a pattern.
pattern_row to_row(const pattern_key& key, const pattern_stats& s);

/// The statistics a stored row stands for (inverse of to_row).
pattern_stats from_row(const pattern_row& row);

/// Calls `f(type, target)` for each target whose patterns an activity updates: its user, its role
/// if it has one, and everyone.
template <class F>
void for_each_target(const learned_activity& a, F&& f) {
  f(user_specific, std::string_view(a.user_id));
  if (!a.role.empty())
    f(role_based, std::string_view(a.role));
  f(global_pattern, global_target);
}

/// Applies one query, whose response `r` assessed, to a pattern's stats. True if its user is new
/// to the pattern.
bool apply_query(pattern_stats& s, const learned_activity& a, const response_assessment& r,
                 const std::string& query_type, const std::vector<std::string>& metrics,
                 const std::vector<std::string>& dimensions,
                 const std::vector<std::string>& entities, bool keep_example);

/// True if role and global patterns may be shown: at least `k` distinct users made them.
inline bool visible_to_others(const pattern_key& key, const pattern_stats& s, int k) {
  return key.type == user_specific || static_cast<int>(s.users.size()) >= k;
}

} // namespace foresight
