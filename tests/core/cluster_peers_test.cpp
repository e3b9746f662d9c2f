// Tests for the --peers list and node ids.
#include "core/cluster_peers.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(cluster_peers)

BOOST_AUTO_TEST_CASE(node_ids_are_short_lowercase_names) {
  BOOST_TEST(valid_node_id("a"));
  BOOST_TEST(valid_node_id("node-2_b"));
  BOOST_TEST(!valid_node_id(""));
  BOOST_TEST(!valid_node_id("-a"));
  BOOST_TEST(!valid_node_id("A"));
  BOOST_TEST(!valid_node_id("a b"));
  BOOST_TEST(!valid_node_id(std::string(33, 'a')));
}

BOOST_AUTO_TEST_CASE(a_list_of_peers_parses_in_order) {
  std::vector<cluster_member> peers;
  std::string error;
  BOOST_TEST(parse_cluster_peers("b=127.0.0.1:4302,c=db-3.internal:4303", "a", peers, error));
  BOOST_REQUIRE(peers.size() == 2u);
  BOOST_TEST(peers[0].id == "b");
  BOOST_TEST(peers[0].address == "127.0.0.1:4302");
  BOOST_TEST(peers[1].address == "db-3.internal:4303");
  BOOST_TEST(parse_cluster_peers("", "a", peers, error));
  BOOST_TEST(peers.empty());
}

BOOST_AUTO_TEST_CASE(bad_entries_are_refused_with_the_entry_named) {
  std::vector<cluster_member> peers;
  std::string error;
  for (auto bad : {"b", "b=127.0.0.1", "b=:4302", "b=h:0", "b=h:65536", "b=h:43x", "B=h:1",
                   "b=h:1,,c=h:2", "b=h:1,b=h:2", "a=h:1"}) {
    BOOST_TEST(!parse_cluster_peers(bad, "a", peers, error), bad);
    BOOST_TEST(error.find("peer \"") == 0u, error);
  }
  parse_cluster_peers("a=h:1", "a", peers, error);
  BOOST_TEST(error == "peer \"a=h:1\": names this node itself");
}

BOOST_AUTO_TEST_SUITE_END()
