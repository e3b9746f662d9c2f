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

BOOST_AUTO_TEST_CASE(only_a_majority_or_the_half_with_the_smallest_id_has_a_quorum) {
  auto m = three_nodes();
  BOOST_TEST(!m.has_quorum(), "one of three");
  m.heard_from("b", 10);
  BOOST_TEST(m.has_quorum(), "two of three");
  auto lone_c = foresight::cluster_membership{"c", {{"a", "x:1"}, {"b", "x:2"}}, 2000};
  BOOST_TEST(!lone_c.has_quorum(), "a node that reaches nobody never decides");
  auto single = foresight::cluster_membership{"a", {}, 2000};
  BOOST_TEST(single.has_quorum(), "a cluster of one");
  auto a_of_two = foresight::cluster_membership{"a", {{"b", "x:2"}}, 2000};
  auto b_of_two = foresight::cluster_membership{"b", {{"a", "x:1"}}, 2000};
  BOOST_TEST(a_of_two.has_quorum(), "half, with the smallest id");
  BOOST_TEST(!b_of_two.has_quorum(), "the other half");
  auto four = foresight::cluster_membership{"c", {{"a", "x:1"}, {"b", "x:2"}, {"d", "x:4"}}, 2000};
  four.heard_from("d", 10);
  BOOST_TEST(!four.has_quorum(), "c and d: half of four, without a");
  four.heard_from("a", 10);
  BOOST_TEST(four.has_quorum());
}

BOOST_AUTO_TEST_SUITE_END()
