// A session registry shard driven by CAF's testing scheduler (no threads; the idle sweep runs when
// the test advances the clock): sessions are made on first use, one per user, and a forgotten,
// idle or failed one is replaced by a new session on the next request; the local placement gives
// each user one owner among its shards. Storage is a fake that counts profile loads, one per
// session born.
#include "actors/session_registry.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <map>
#include <memory>
#include <set>

#include "actors/messages.hpp"
#include "tests/support/deterministic_actors.hpp"
#include "actors/session_placement.hpp"
#include "core/rendezvous.hpp"

using namespace foresight;

namespace {

struct registry_fixture : deterministic_actors {
  /// Profile loads per user: one per session the registry made.
  std::shared_ptr<std::map<std::string, int>> loads = std::make_shared<std::map<std::string, int>>();
  caf::actor storage;
  session_registry_actor registry;
  session_peers peers;
  session_settings defaults;
  static constexpr int idle_ms = 1000;

  registry_fixture() {
    auto l = loads;
    storage = sys.spawn([l]() -> caf::behavior {
      return {[l](user_get_atom, const std::string& id) -> caf::result<user_profile> {
        (*l)[id] += 1;
        if (id == "ghost")
          return to_caf_error(make_error(error_code::not_found, "no such user"));
        user_profile p;
        p.id = id;
        p.username = id;
        return p;
      }};
    });
    peers.storage = caf::actor_cast<storage_actor>(storage);
    defaults.idle_timeout_ms = idle_ms;
    registry = spawn_session_registry(sys, peers, defaults);
    sched.run();
  }

  ~registry_fixture() {
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Asks `user`'s session for its profile through the registry; the session's answer, or the
  /// error's code.
  std::string profile_of(const std::string& user) { return profile_of(registry, user); }

  std::string profile_of(const session_registry_actor& owner, const std::string& user) {
    self->send(owner, for_user_atom::value, user, profile_atom::value);
    sched.run();
    std::string out = "no answer";
    self->receive([&](user_profile& p) { out = p.id; },
                  [&](caf::error& e) { out = foresight::to_string(to_api_error(e).code); },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  /// Advances the clock in sweep-sized steps (each sweep sets the next one's timer).
  void wait_ms(int ms) {
    for (int t = 0; t < ms; t += 100) {
      sched.advance_time(std::chrono::milliseconds(100));
      sched.run();
    }
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(session_registry_actor, registry_fixture)

BOOST_AUTO_TEST_CASE(a_session_is_made_on_a_users_first_request_and_kept_for_the_next) {
  BOOST_TEST(profile_of("alice") == "alice");
  BOOST_TEST(profile_of("alice") == "alice");
  BOOST_TEST(profile_of("bob") == "bob");
  BOOST_TEST((*loads)["alice"] == 1, "one session for alice");
  BOOST_TEST((*loads)["bob"] == 1);
}

BOOST_AUTO_TEST_CASE(a_forgotten_users_next_request_gets_a_new_session) {
  BOOST_TEST(profile_of("alice") == "alice");
  caf::anon_send(registry, forget_atom::value, std::string{"alice"});
  BOOST_TEST(profile_of("alice") == "alice");
  BOOST_TEST((*loads)["alice"] == 2);
}

BOOST_AUTO_TEST_CASE(a_session_without_requests_for_the_idle_timeout_is_retired) {
  BOOST_TEST(profile_of("alice") == "alice");
  wait_ms(idle_ms / 2);
  BOOST_TEST(profile_of("alice") == "alice");
  wait_ms(idle_ms / 2);
  BOOST_TEST(profile_of("alice") == "alice", "a request renewed it");
  BOOST_TEST((*loads)["alice"] == 1);
  wait_ms(idle_ms + 200);
  BOOST_TEST(profile_of("alice") == "alice");
  BOOST_TEST((*loads)["alice"] == 2, "retired while idle, so made again");
}

BOOST_AUTO_TEST_CASE(a_session_that_cannot_load_its_user_answers_and_goes) {
  BOOST_TEST(profile_of("ghost") == "unauthorized");
  BOOST_TEST(profile_of("ghost") == "unauthorized");
  BOOST_TEST((*loads)["ghost"] == 2, "the failed session asked to go; the next try is afresh");
}

BOOST_AUTO_TEST_CASE(in_a_cluster_a_shard_makes_sessions_only_for_users_placed_on_its_node) {
  std::vector<std::string> live{"a", "b"};
  std::string mine, theirs;
  for (int i = 0; mine.empty() || theirs.empty(); ++i) {
    auto user = "u" + std::to_string(i);
    (rendezvous_owner(user, live) == "a" ? mine : theirs) = user;
  }
  BOOST_TEST(profile_of(theirs) == theirs, "before any placement, a single node's: everyone");
  caf::anon_send(registry, placement_changed_atom::value, live, std::string("a"));
  sched.run();
  BOOST_TEST(profile_of(mine) == mine);
  // A request sent with an older view: no session is made here, the sender is told to retry.
  auto before = (*loads)[theirs];
  BOOST_TEST(profile_of(theirs) == "unavailable", "its session was retired with the placement");
  BOOST_TEST((*loads)[theirs] == before, "and no new one was made");
  // The user comes back to this node: a fresh session, loaded anew.
  caf::anon_send(registry, placement_changed_atom::value, std::vector<std::string>{"a"},
                 std::string("a"));
  sched.run();
  BOOST_TEST(profile_of(theirs) == theirs);
  BOOST_TEST((*loads)[theirs] == before + 1);
}

BOOST_AUTO_TEST_CASE(the_local_placement_gives_each_user_one_owner_among_its_shards) {
  auto placement = make_local_session_placement(sys, peers, defaults, 3);
  std::set<caf::actor_addr> owners;
  for (auto user : {"u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"}) {
    BOOST_TEST((placement->owner(user).address() == placement->owner(user).address()));
    owners.insert(placement->owner(user).address());
    BOOST_TEST(profile_of(placement->owner(user), user) == user);
    BOOST_TEST(profile_of(placement->owner(user), user) == user);
    BOOST_TEST((*loads)[user] == 1, user << ": one session, on its owner");
  }
  BOOST_TEST(owners.size() == 3u, "eight users spread over the three shards");
  placement->forget("u1");
  BOOST_TEST(profile_of(placement->owner("u1"), "u1") == "u1");
  BOOST_TEST((*loads)["u1"] == 2, "forgotten at its owner");
  placement->stop(caf::exit_reason::user_shutdown);
  sched.run();
}

BOOST_AUTO_TEST_SUITE_END()
