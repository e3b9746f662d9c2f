// The suggestion cache actors driven by CAF's testing scheduler (no threads, no sleeps): nothing
// runs until `sched.run()`, and timers fire only when the test advances the clock. Storage, the
// write-behind worker and the catalog registry are fakes that count what they were asked.
#include "actors/suggestion_cache.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <array>
#include <memory>

#include "actors/messages.hpp"
#include "tests/support/deterministic_actors.hpp"

using namespace foresight;

namespace {

/// What the fakes saw.
struct seen {
  int loads = 0;
  int hint_reads = 0;
  int catalog_reads = 0;
  std::vector<cache_writes> writes;
};

struct cache_fixture : deterministic_actors {
  std::shared_ptr<seen> log = std::make_shared<seen>();
  caf::actor storage, writer, catalogs, llm;
  suggestion_cache_actor cache;
  std::shared_ptr<const cache_shard_table> shards;
  suggestion_cache_settings settings;

  cache_fixture() {
    auto l = log;
    storage = sys.spawn([l]() -> caf::behavior {
      return {
        [l](cache_load_atom, std::int32_t) {
          l->loads += 1;
          return std::vector<cached_suggestions>{};
        },
        [l](hints_atom, const std::string&, const std::string&, std::int32_t, std::int32_t,
            bool) {
          l->hint_reads += 1;
          return pattern_hints{};
        },
      };
    });
    writer = sys.spawn([l]() -> caf::behavior {
      return {
        [l](cache_write_atom, const cache_writes& w) {
          l->writes.push_back(w);
          return true;
        },
        [](cache_purge_atom) { return std::int64_t{0}; },
      };
    });
    catalogs = sys.spawn([l]() -> caf::behavior {
      return {[l](cat_get_atom, const std::string& id) {
        l->catalog_reads += 1;
        connection_catalog c;
        c.id = id;
        c.version = 1;
        c.metrics = {{"revenue", "Revenue", "", "sum"}};
        c.dimensions = {{"region", "Region", "string"}};
        return c;
      }};
    });
    llm = sys.spawn([]() -> caf::behavior { return {[](llm_atom, const llm_call&) {}}; });
    settings.shards = 2;
    settings.max_entries = 100;
    // The fakes answer what the cache asks of the typed roles (unchecked casts).
    auto handles = spawn_suggestion_cache(
      sys,
      {caf::actor_cast<storage_actor>(storage), caf::actor_cast<storage_actor>(writer), caf::actor_cast<llm_gateway_actor>(llm),
       caf::actor_cast<catalog_registry_actor>(catalogs)},
      settings);
    cache = handles.supervisor;
    shards = handles.shards;
    sched.run(); // the pool starts, warms its shards from (empty) storage
  }

  ~cache_fixture() {
    caf::anon_send_exit(cache, caf::exit_reason::user_shutdown);
    for (auto& a : {storage, writer, catalogs, llm})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  static suggestion_job job(const std::string& hash, const std::string& user = "u1") {
    suggestion_job j;
    j.context_hash = hash;
    j.user_id = user;
    j.role = "analyst";
    j.request.connection_id = "sales";
    j.catalog_version = 1;
    j.arm = "A";
    return j;
  }

  /// Sends a suggest request, runs everything, and answers the reply.
  suggestion_list ask(const suggestion_job& j) {
    self->send(cache, suggest_atom::value, j);
    sched.run();
    suggestion_list out;
    bool got = false;
    self->receive([&](suggestion_list& l) { out = std::move(l); got = true; },
                  [&](caf::error& e) { BOOST_FAIL("error: " << sys.render(e)); },
                  caf::after(std::chrono::seconds(0)) >> [] { BOOST_FAIL("no answer"); });
    BOOST_TEST(got);
    return out;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(suggestion_cache_actor, cache_fixture)

BOOST_AUTO_TEST_CASE(a_hit_after_a_miss_is_answered_without_storage) {
  BOOST_TEST(log->loads == 1, "warmed once at start");
  auto first = ask(job("0000000a"));
  BOOST_TEST(first.source == "patterns");
  BOOST_TEST(log->catalog_reads == 1);
  BOOST_TEST(log->hint_reads == 1);
  auto second = ask(job("0000000a"));
  BOOST_TEST(second.source == "cached");
  BOOST_TEST(second.suggestions.size() == first.suggestions.size());
  BOOST_TEST(log->catalog_reads == 1, "a hit asks no catalog");
  BOOST_TEST(log->hint_reads == 1, "a hit reads no patterns");
}

BOOST_AUTO_TEST_CASE(a_job_sent_straight_to_its_shard_meets_what_the_supervisor_routed) {
  auto shard = shards->shard_for("0000000e");
  BOOST_REQUIRE_MESSAGE(static_cast<bool>(shard), "published once warmed");
  BOOST_TEST((shard.address() == shards->shard_for("0000000e").address()));
  BOOST_TEST(ask(job("0000000e")).source == "patterns");
  self->send(shard, suggest_atom::value, job("0000000e"));
  sched.run();
  std::string source;
  self->receive([&](suggestion_list& l) { source = l.source; },
                caf::after(std::chrono::seconds(0)) >> [] { BOOST_FAIL("no answer"); });
  BOOST_TEST(source == "cached");
}

BOOST_AUTO_TEST_CASE(a_crashed_shards_slot_is_empty_until_it_is_restarted_and_warmed) {
  auto before = shards->shard_for("00000000");
  BOOST_REQUIRE(static_cast<bool>(before));
  caf::anon_send(cache, fault_atom::value); // the first shard throws
  sched.run();
  auto after = shards->shard_for("00000000");
  BOOST_REQUIRE_MESSAGE(static_cast<bool>(after), "restarted, warmed and published again");
  BOOST_TEST((after.address() != before.address()));
  BOOST_TEST(log->loads == 2, "the restarted shard was warmed");
  BOOST_TEST(ask(job("00000000")).source == "patterns");
}

BOOST_AUTO_TEST_CASE(identical_concurrent_misses_share_one_generation) {
  self->send(cache, suggest_atom::value, job("0000000b"));
  self->send(cache, suggest_atom::value, job("0000000b"));
  sched.run();
  int answers = 0;
  for (int i = 0; i < 2; ++i)
    self->receive(
      [&](suggestion_list& l) {
        BOOST_TEST(l.source == "patterns");
        ++answers;
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
  BOOST_TEST(answers == 2);
  BOOST_TEST(log->hint_reads == 1, "one generation for both");
}

BOOST_AUTO_TEST_CASE(an_invalidated_users_entry_is_generated_again) {
  ask(job("0000000c", "alice"));
  caf::anon_send(cache, invalidate_atom::value, std::string{"alice"});
  sched.run();
  BOOST_TEST(ask(job("0000000c", "alice")).source == "patterns");
}

BOOST_AUTO_TEST_CASE(the_write_behind_goes_on_the_shards_timer_and_drains_at_shutdown) {
  auto totals = [&] {
    std::size_t inserts = 0, hits = 0, impressions = 0;
    for (auto& w : log->writes) {
      inserts += w.inserts.size();
      hits += w.hits.size();
      impressions += w.impressions.size();
    }
    return std::array<std::size_t, 3>{inserts, hits, impressions};
  };
  ask(job("0000000d"));
  ask(job("0000000d")); // a hit
  BOOST_TEST(log->writes.empty(), "nothing written before the timer");
  sched.advance_time(std::chrono::milliseconds(settings.flush_ms));
  sched.run();
  BOOST_TEST(totals()[0] == 1u, "the new entry is written on the next tick");
  // Hit counts and impressions go once a (real) second, or when the cache drains.
  self->send(cache, drain_cache_atom::value);
  sched.run();
  bool drained = false;
  self->receive([&](bool b) { drained = b; }, caf::after(std::chrono::seconds(0)) >> [] {});
  BOOST_TEST(drained);
  BOOST_TEST(totals()[0] == 1u);
  BOOST_TEST(totals()[1] == 1u, "one entry with hits");
  BOOST_TEST(totals()[2] == 2u, "one impression per source: patterns and cached");
}

BOOST_AUTO_TEST_SUITE_END()
