#include "actors/messages.hpp"

#include <boost/core/demangle.hpp>
#include <boost/test/unit_test.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>
#include <set>
#include <typeindex>

#include "actors/activity_importer.hpp"
#include "actors/activity_writer.hpp"
#include "actors/catalog_registry.hpp"
#include "actors/cluster_node.hpp"
#include "actors/crowd.hpp"
#include "actors/llm_gateway.hpp"
#include "actors/pattern_learner.hpp"
#include "actors/retention.hpp"
#include "actors/session_protocol.hpp"
#include "actors/storage_pool.hpp"
#include "actors/suggestion_cache.hpp"

using namespace foresight;

namespace {

struct serialization_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  serialization_fixture() {
    register_message_types(cfg);
    register_cluster_message_types(cfg); // as the app does
    cfg.set("scheduler.max-threads", 1);
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  /// Serializes `x` inside a message (as the middleman would), reads it back, and checks that
  /// every field of the copy, at every depth, reads as the original's (`deep_to_string` walks
  /// the same `inspect` overloads field by field), and that it serializes to the same bytes.
  template <class T>
  T round_trip(const T& x) {
    std::vector<char> buf;
    caf::binary_serializer sink{*sys, buf};
    auto msg = caf::make_message(x);
    BOOST_REQUIRE(!sink(msg));
    caf::message copy;
    caf::binary_deserializer source{*sys, buf};
    BOOST_REQUIRE(!source(copy));
    BOOST_REQUIRE(copy.match_elements<T>());
    BOOST_TEST(caf::deep_to_string(copy.get_as<T>(0)) == caf::deep_to_string(x));
    std::vector<char> again;
    caf::binary_serializer sink2{*sys, again};
    BOOST_REQUIRE(!sink2(copy));
    BOOST_TEST(buf == again);
    return copy.get_as<T>(0);
  }
};

template <class T>
struct type_tag {
  using type = T;
};

template <class T>
struct is_atom : std::false_type {};
template <caf::atom_value V>
struct is_atom<caf::atom_constant<V>> : std::true_type {};

/// Adds to `unknown` each type of `Ts` that CAF could not serialize: neither an atom, nor one of
/// its built-in types, nor registered (register_message_types).
template <class... Ts>
void note_unknown(const caf::actor_system_config& cfg, caf::detail::type_list<Ts...>,
                  std::set<std::string>& unknown) {
  auto one = [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_void<T>::value)
      if (!is_atom<T>::value && caf::type_nr<T>::value == 0 &&
          cfg.type_names_by_rtti.count(std::type_index(typeid(T))) == 0)
        unknown.insert(boost::core::demangle(typeid(T).name()));
  };
  (one(type_tag<Ts>{}), ...);
}

template <class... In, class... Out>
void note_unknown(const caf::actor_system_config& cfg,
                  type_tag<caf::typed_mpi<caf::detail::type_list<In...>, caf::output_tuple<Out...>>>,
                  std::set<std::string>& unknown) {
  note_unknown(cfg, caf::detail::type_list<In..., Out...>{}, unknown);
}

template <class... Signatures>
void note_unknown_in(const caf::actor_system_config& cfg, caf::detail::type_list<Signatures...>,
                     std::set<std::string>& unknown) {
  (note_unknown(cfg, type_tag<Signatures>{}, unknown), ...);
}

/// The types of every message (requests and replies) of every role that CAF could not serialize.
template <class... Interfaces>
std::set<std::string> unserializable(const caf::actor_system_config& cfg) {
  std::set<std::string> unknown;
  (note_unknown_in(cfg, typename Interfaces::signatures{}, unknown), ...);
  return unknown;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(messages, serialization_fixture)

// A session, a registry shard or any other role may live on another node: everything its
// messages carry must cross the wire.
BOOST_AUTO_TEST_CASE(every_message_of_every_role_can_cross_nodes) {
  auto unknown = unserializable<
    session_actor, session_registry_actor, storage_actor, crowd_actor, catalog_registry_actor,
    llm_gateway_actor, cache_shard_actor, suggestion_cache_actor, pattern_shard_actor,
    pattern_learners_actor, activity_writer_actor, import_endpoint_actor, retention_actor,
    cluster_node_actor>(cfg);
  std::string list;
  for (auto& t : unknown)
    list += t + "; ";
  BOOST_TEST(unknown.empty(), "not serializable: " << list);
}

BOOST_AUTO_TEST_CASE(every_payload_survives_the_wire) {
  user_profile u{"analyst001", "ana", "analyst", "Finance", R"(["grow"])", true, "2026-01-01T00:00:00.000Z"};
  BOOST_TEST(round_trip(u).goals_json == u.goals_json);
  new_user nu{"id1", "name1", "secret-pw", "trader", "Markets", "[]", true, {}};
  BOOST_TEST(round_trip(nu).password == "secret-pw");
  nu.password_hash = "pbkdf2_sha256$1000$c2FsdA==$a2V5";
  BOOST_TEST(round_trip(nu).password_hash == nu.password_hash);
  BOOST_TEST(round_trip(login_record{u, "hash"}).user.id == u.id);
  BOOST_TEST(round_trip(login_record{u, "hash"}).password_hash == "hash");
  BOOST_TEST(round_trip(credentials{"a", "b"}).password == "b");
  BOOST_TEST(round_trip(token_grant{"tok", 3600, "u", "analyst", true}).is_admin);
  // The field comparison sees inside: a field's value shows in the text it compares.
  BOOST_TEST(caf::deep_to_string(token_grant{"tok", 3600, "u", "analyst", true}).find("analyst") !=
             std::string::npos);
  connection_catalog c;
  c.id = "db";
  c.name = "DB";
  c.metrics = {{"revenue", "Revenue", "Gross", "sum"}};
  c.dimensions = {{"region", "Region", "string"}};
  c.entities = {{"product", "Products"}};
  c.version = 7;
  auto c2 = round_trip(c);
  BOOST_TEST(c2.metrics.at(0).aggregation == "sum");
  BOOST_TEST(c2.dimensions.at(0).type == "string");
  BOOST_TEST(c2.entities.at(0).display_name == "Products");
  BOOST_TEST(c2.version == 7);
  BOOST_TEST(round_trip(catalog_list{{c, c}}).items.size() == 2u);
  BOOST_TEST(round_trip(readiness_report{true, true, 6, "ok"}).schema_version == 6);
  activity_row row;
  row.user_id = "u";
  row.activity_type = "feedback";
  row.feedback_rating = 5;
  row.metadata_json = R"({"a":1})";
  row.idempotency_key = "k";
  row.session_serial = 0xfedcba9876543211ull;
  BOOST_TEST(round_trip(row).feedback_rating == 5);
  BOOST_TEST(round_trip(row).session_serial == row.session_serial);
  BOOST_TEST(round_trip(activity_batch{{row, row}}).rows.size() == 2u);
  BOOST_TEST(round_trip(logged_activity{42, "query", true, "", false}).replayed);
  import_report ir;
  ir.imported = 3;
  ir.lines = 4;
  ir.reject(2, "validation_failed", "unknown activity type", "activity_type");
  auto ir2 = round_trip(ir);
  BOOST_TEST(ir2.rejected == 1);
  BOOST_TEST(ir2.errors.at(0).line == 2);
  BOOST_TEST(ir2.errors.at(0).field == "activity_type");
  learned_activity la;
  la.id = 9;
  la.rated_query_text = "Top 10 stocks by volume";
  BOOST_TEST(round_trip(batch_receipt{{{1, "chat", false, "", false}}, {la}}).learned.at(0).id == 9);
  BOOST_TEST(round_trip(learn_batch{{la}}).items.at(0).rated_query_text == la.rated_query_text);
  commit_report cr{41, {{7, "query", false, "", false}, {0, "chat", false, "waited", true}},
                   {0, 1}, 2, "timeout"};
  auto cr2 = round_trip(cr);
  BOOST_TEST(cr2.first_seq == 41u);
  BOOST_TEST(cr2.items.at(1).not_stored == "waited");
  BOOST_TEST((cr2.failed == std::vector<std::uint8_t>{0, 1}));
  BOOST_TEST(cr2.batch_rows == 2u);
  BOOST_TEST(cr2.batch_error == "timeout");
  la.session_serial = 0x8000000000000001ull;
  BOOST_TEST(round_trip(la).session_serial == la.session_serial);
  pattern_row pr;
  pr.users = {"a", "b"};
  pr.avg_response_time = 0.25;
  pr.learned_through = 81;
  pattern_shard_state ps{2, 1, 77, {pr}};
  BOOST_TEST(round_trip(ps).rows.at(0).users.size() == 2u);
  BOOST_TEST(round_trip(ps).rows.at(0).learned_through == 81);
  BOOST_TEST(round_trip(patterns_query{"u", "analyst", 10, 2, false}).min_users == 2);
  BOOST_TEST(round_trip(patterns_view{{stored_pattern{}}, {}, 1, 0}).user_pattern_count == 1);
  BOOST_TEST(round_trip(history_query{"u", "chat", 10, 99}).before_id == 99);
  BOOST_TEST(round_trip(activity_page{{activity_record{}, activity_record{}}, {audit_entry{}}, 3}).last_id == 3);
}

BOOST_AUTO_TEST_CASE(suggestion_payloads_survive_the_wire) {
  suggestion_preferences p;
  p.user_id = "u";
  p.excluded_metrics = {"internal_id"};
  p.version = 4;
  BOOST_TEST(round_trip(p).excluded_metrics.at(0) == "internal_id");
  preferences_update u;
  u.max_suggestions = 9;
  u.has_max = true;
  BOOST_TEST(round_trip(u).has_max);
  pattern_hint h;
  h.template_text = "top {N} {entity} by {metric}";
  h.metrics = {"revenue"};
  suggestion_job job;
  job.context_hash = "0123456789abcdef0123456789abcdef";
  job.preferences = p;
  job.request = {"sales", "show me prof", 4, ""};
  job.arm = "history";
  ranked_question rq;
  rq.text = "Total revenue by region for EMEA";
  rq.shape = "total revenue by region for emea";
  rq.origin = "followup";
  rq.preference = 1;
  job.ranked = {rq};
  job.ranking_id = 0x1234567890ull;
  auto job2 = round_trip(job);
  BOOST_TEST(job2.request.partial_query == "show me prof");
  BOOST_TEST(job2.preferences.version == 4);
  BOOST_TEST(job2.arm == "history");
  BOOST_TEST(job2.ranked.at(0).shape == rq.shape);
  BOOST_TEST(job2.ranked.at(0).preference == 1);
  BOOST_TEST(job2.ranking_id == job.ranking_id);
  crowd_view view;
  view.role = {{"Top 5 stocks by volume", "top 5 stocks by volume", "top {n} stocks by volume",
                "top {N} {entity} by {metric}", 7, 3, 0}};
  view.followups = {{"volume trend by region", "volume trend by region", "volume trend by region",
                     "{metric} trend by {dimension}", 2, 2, 1u}};
  view.role_total = 40;
  auto view2 = round_trip(view);
  BOOST_TEST(view2.role.at(0).users == 3);
  BOOST_TEST(view2.followups.at(0).carry == 1u);
  BOOST_TEST(view2.role_total == 40);
  BOOST_TEST(round_trip(pattern_hints{{h}, {}, {h}}).global.at(0).metrics.at(0) == "revenue");
  suggestion_list l{"sales", "rev", {{"Revenue by region", "dimension", "d", "🏷️"}}, "cached", {}, {},
                    "[{\"text\":\"Revenue by region\"}]", "history"};
  BOOST_TEST(round_trip(l).suggestions.at(0).icon == "🏷️");
  BOOST_TEST(round_trip(l).suggestions_json == l.suggestions_json);
  BOOST_TEST(round_trip(l).strategy == "history");
  cached_suggestions c{"hash", "u", l, 123, 2};
  BOOST_TEST(round_trip(cache_writes{{c}, {{"hash", 3}}, {{"u", "sales", "cached", 2, 8, "history"}},
                                    {"u"}})
               .impressions.at(0).arm == "history");
  BOOST_TEST(round_trip(llm_call{"u", "sys", "user", 4000}).deadline_ms == 4000);
  BOOST_TEST(round_trip(llm_answer{true, "{}", ""}).ok);
  stats_report r;
  r.live.llm_breaker = "open";
  BOOST_TEST(round_trip(r).live.llm_breaker == "open");
}

BOOST_AUTO_TEST_CASE(cluster_reports_survive_the_wire) {
  cluster_report r;
  r.node_id = "a";
  r.clustered = true;
  r.epoch = 0x100000003ull;
  r.learner_host = "a";
  r.members = {{"a", "", "alive", -1, true, 5}, {"b", "127.0.0.1:4302", "dead", 1500, false, -1}};
  r.owner_user_id = "u1";
  r.owner_node = "b";
  auto r2 = round_trip(r);
  BOOST_TEST(r2.epoch == r.epoch);
  BOOST_TEST(r2.members.size() == 2u);
  BOOST_TEST(r2.members.at(1).address == "127.0.0.1:4302");
  BOOST_TEST(r2.members.at(1).last_heard_ms_ago == 1500);
  BOOST_TEST(r2.members.at(0).local);
  BOOST_TEST(r2.owner_node == "b");
  BOOST_TEST(round_trip(r.members.at(0)).sessions == 5);
}

BOOST_AUTO_TEST_CASE(api_errors_cross_as_caf_errors_and_come_back_whole) {
  auto err = make_error(error_code::validation_failed, "bad rating", "feedback_rating");
  auto back = to_api_error(to_caf_error(err));
  BOOST_TEST((back.code == error_code::validation_failed));
  BOOST_TEST(back.message == "bad rating");
  BOOST_TEST(back.field == "feedback_rating");
  BOOST_TEST(to_api_error(to_caf_error(make_error(error_code::unavailable, "x"))).retry_after_seconds == 1);
  BOOST_TEST((to_api_error(caf::make_error(caf::sec::request_timeout)).code == error_code::timeout));
  BOOST_TEST((to_api_error(caf::make_error(caf::sec::runtime_error)).code == error_code::internal));
}

BOOST_AUTO_TEST_SUITE_END()
