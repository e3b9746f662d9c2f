// Tests for cluster_membership: peers come alive when heard from, die when lost or silent past the
// limit, come back, and every change of the live set raises the epoch.
#include "core/cluster_membership.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

namespace {
cluster_membership three_nodes() {
  return cluster_membership{"a", {{"c", "127.0.0.1:4303"}, {"b", "127.0.0.1:4302"}}, 2000};
}
using ids = std::vector<std::string>;
} // namespace

BOOST_AUTO_TEST_SUITE(cluster_membership)

BOOST_AUTO_TEST_CASE(only_the_local_node_is_live_until_peers_are_heard_from) {
  auto m = three_nodes();
  BOOST_TEST(m.live() == ids{"a"});
  BOOST_TEST(m.members().size() == 3u);
  BOOST_TEST(m.members()[0].id == "a", "sorted by id");
  BOOST_TEST(m.is_member("b"));
  BOOST_TEST(!m.is_member("z"));
  BOOST_TEST(!m.heard_from("z", 10), "a stranger is not a member");
  auto e = m.epoch();
  BOOST_TEST(m.heard_from("c", 10));
  BOOST_TEST(!m.heard_from("c", 20), "already alive");
  BOOST_TEST(m.live() == (ids{"a", "c"}));
  BOOST_TEST(m.epoch() == e + 1);
}

BOOST_AUTO_TEST_CASE(a_lost_peer_is_dead_at_once_and_alive_again_when_heard_from) {
  auto m = three_nodes();
  m.heard_from("b", 0);
  m.heard_from("c", 0);
  auto e = m.epoch();
  BOOST_TEST(m.lost("b"));
  BOOST_TEST(!m.lost("b"));
  BOOST_TEST(!m.lost("a"), "the local node never dies to itself");
  BOOST_TEST(m.live() == (ids{"a", "c"}));
  BOOST_TEST(m.epoch() == e + 1);
  BOOST_TEST(m.heard_from("b", 100));
  BOOST_TEST(m.live() == (ids{"a", "b", "c"}));
  BOOST_TEST(m.epoch() == e + 2);
}

BOOST_AUTO_TEST_CASE(a_silent_peer_dies_after_the_limit_not_before) {
  auto m = three_nodes();
  m.heard_from("b", 0);
  m.heard_from("c", 0);
  m.heard_from("c", 1500);
  BOOST_TEST(m.expire(2000).empty(), "exactly at the limit it still counts");
  auto e = m.epoch();
  BOOST_TEST(m.expire(2001) == ids{"b"});
  BOOST_TEST(m.epoch() == e + 1);
  BOOST_TEST(m.expire(2001).empty());
  BOOST_TEST(m.expire(3501) == ids{"c"});
  BOOST_TEST(m.live() == ids{"a"});
  auto& b = m.members()[1];
  BOOST_TEST(b.id == "b");
  BOOST_TEST(std::string(to_string(b.state)) == "dead");
  BOOST_TEST(b.last_heard_ms == 0);
}

BOOST_AUTO_TEST_SUITE_END()
