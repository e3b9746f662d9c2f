// The crowd actor behind its supervisor: it loads every committed question at start, learns the
// live ones from the `foresight.learned` group, and offers another user only what enough users
// asked.
#include "actors/crowd.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "actors/messages.hpp"

using namespace foresight;

namespace {

learned_activity query(std::int64_t id, const std::string& user, const std::string& text) {
  learned_activity a;
  a.id = id;
  a.user_id = user;
  a.role = "analyst";
  a.activity_type = "query";
  a.query_text = text;
  a.response_data_json = R"({"data":[1]})";
  a.connection_id = "sales";
  a.created_at = "2026-03-0" + std::to_string(1 + id % 9) + "T09:00:00Z";
  return a;
}

struct crowd_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor storage, catalogs;
  crowd_actor crowd;

  crowd_fixture() {
    register_message_types(cfg);
    cfg.set("scheduler.max-threads", 2);
    cfg.set("logger.console", caf::atom("none"));
    sys = std::make_unique<caf::actor_system>(cfg);
    // What the table holds at start: two analysts share a question, one asks another alone.
    storage = sys->spawn([]() -> caf::behavior {
      return {[](pat_replay_atom, std::int64_t after, std::int32_t) {
        learn_batch b;
        if (after == 0)
          b.items = {query(1, "a1", "Total revenue by region for Q1 2026"),
                     query(2, "a2", "Total revenue by region for Q2 2026"),
                     query(3, "a1", "Cost of Project Nightingale by region")};
        return b;
      }};
    });
    catalogs = sys->spawn([]() -> caf::behavior {
      return {[](cat_get_atom, const std::string& id) {
        connection_catalog c;
        c.id = id;
        c.version = 1;
        c.metrics = {{"revenue", "Revenue", "", "sum"}, {"cost", "Cost", "", "sum"}};
        c.dimensions = {{"region", "Region", "string"}};
        return c;
      }};
    });
    crowd = spawn_crowd(*sys, caf::actor_cast<storage_actor>(storage),
                        caf::actor_cast<catalog_registry_actor>(catalogs), 2);
  }
  ~crowd_fixture() {
    caf::anon_send_exit(crowd, caf::exit_reason::user_shutdown);
    for (auto* a : {&storage, &catalogs})
      caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    sys->await_all_actors_done();
  }

  /// The view a newcomer gets, once `ready` holds for it (the crowd ranks once a second).
  crowd_view view_until(const std::function<bool(const crowd_view&)>& ready) {
    caf::scoped_actor self{*sys};
    crowd_view got;
    for (int i = 0; i < 150; ++i) { // 15 s: a loaded CI machine may delay the refresh
      self->request(crowd, std::chrono::seconds(5), crowd_atom::value, std::string("newbie"),
                    std::string("analyst"), std::string("sales"), std::string(), std::string())
        .receive([&](crowd_view& v) { got = std::move(v); },
                 [&](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
      if (ready(got))
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return got;
  }
};

bool offers(const crowd_view& v, const std::string& shape) {
  for (auto& q : v.role)
    if (q.shape == shape)
      return true;
  return false;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(crowd_actor, crowd_fixture)

BOOST_AUTO_TEST_CASE(loads_the_table_then_learns_live_questions_and_keeps_one_users_to_themself) {
  auto shared = "total revenue by region for {quarter} {year}";
  auto v = view_until([&](const crowd_view& v) { return offers(v, shared); });
  BOOST_TEST(offers(v, shared));
  BOOST_TEST(v.role.size() == 1u); // Nightingale: one user's question, nobody else's to see
  BOOST_TEST(v.role_total == 3);
  learn_batch live;
  live.items = {query(4, "a3", "Cost by region"), query(5, "a2", "Cost by region")};
  caf::anon_send(learned_activities_group(*sys), learned_atom::value, live);
  v = view_until([](const crowd_view& v) { return offers(v, "cost by region"); });
  BOOST_TEST(offers(v, "cost by region"));
  BOOST_TEST(!offers(v, "cost of project nightingale by region"));
}

BOOST_AUTO_TEST_SUITE_END()
