#include <boost/test/unit_test.hpp>

#include "core/views.hpp"

using namespace foresight;

BOOST_AUTO_TEST_SUITE(cluster_views)

BOOST_AUTO_TEST_CASE(a_two_node_report_renders_unknown_figures_as_null) {
  cluster_report r;
  r.node_id = "a";
  r.clustered = true;
  r.epoch = 3;
  r.learner_host = "a";
  r.members = {{"a", "127.0.0.1:4301", "alive", -1, true, 5},
               {"b", "127.0.0.1:4302", "dead", 1500, false, -1}};
  r.owner_user_id = "u1";
  r.owner_node = "b";
  BOOST_TEST(cluster_json(r) ==
             R"({"node_id":"a","clustered":true,"epoch":3,"learner_host":"a","members":[)"
             R"({"id":"a","address":"127.0.0.1:4301","state":"alive","local":true,)"
             R"("last_heard_ms_ago":null,"sessions":5},)"
             R"({"id":"b","address":"127.0.0.1:4302","state":"dead","local":false,)"
             R"("last_heard_ms_ago":1500,"sessions":null}],)"
             R"("owner":{"user_id":"u1","node":"b"}})");
}

BOOST_AUTO_TEST_CASE(owner_only_when_a_user_was_asked_for) {
  cluster_report r;
  r.node_id = "local";
  r.learner_host = "local";
  r.members = {{"local", "", "alive", -1, true, -1}};
  BOOST_TEST(cluster_json(r) ==
             R"({"node_id":"local","clustered":false,"epoch":0,"learner_host":"local","members":[)"
             R"({"id":"local","address":"","state":"alive","local":true,)"
             R"("last_heard_ms_ago":null,"sessions":null}]})");
}

BOOST_AUTO_TEST_SUITE_END()
