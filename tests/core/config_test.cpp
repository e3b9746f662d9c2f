#include "core/config.hpp"

#include <boost/test/unit_test.hpp>
#include <map>

using namespace foresight;

namespace {

config_result load(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                   std::map<std::string, std::string> files = {}) {
  return load_config(
    args,
    [&](const std::string& n) {
      auto i = env.find(n);
      return i == env.end() ? std::string() : i->second;
    },
    [&](const std::string& path, std::string& out) {
      auto i = files.find(path);
      if (i == files.end())
        return false;
      out = i->second;
      return true;
    });
}

} // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_match_the_documentation) {
  auto r = load({"serve"});
  BOOST_TEST(r.error.empty());
  BOOST_TEST(r.cfg.port == 8000);
  BOOST_TEST(r.cfg.bind == "127.0.0.1");
  BOOST_TEST(r.cfg.data_dir == "./var");
  BOOST_TEST(r.cfg.max_body_bytes == 1u << 20);
  BOOST_TEST(r.cfg.max_connections == 0);
  BOOST_TEST(r.cfg.max_connections_per_address == 256);
  BOOST_TEST(r.cfg.tls_cert.empty());
  BOOST_TEST(r.positional == std::vector<std::string>{"serve"});
}

BOOST_AUTO_TEST_CASE(connection_caps_and_tls_files_come_from_anywhere) {
  auto r = load({"serve", "--max-connections", "500", "--tls-key", "/k.pem"},
                {{"FORESIGHT_MAX_CONNECTIONS_PER_ADDRESS", "8"}, {"FORESIGHT_TLS_CERT", "/c.pem"}});
  BOOST_TEST(r.error.empty(), r.error);
  BOOST_TEST(r.cfg.max_connections == 500);
  BOOST_TEST(r.cfg.max_connections_per_address == 8);
  BOOST_TEST(r.cfg.tls_cert == "/c.pem");
  BOOST_TEST(r.cfg.tls_key == "/k.pem");
  BOOST_TEST(!load({"--max-connections-per-address", "-1"}).error.empty());
}

BOOST_AUTO_TEST_CASE(command_line_beats_environment_beats_file) {
  auto r = load({"serve", "--port", "9001", "--config=/etc/f.conf"},
                {{"FORESIGHT_PORT", "9002"}, {"FORESIGHT_BIND", "127.0.0.2"}},
                {{"/etc/f.conf", "# comment\nport = 9003\nbind=127.0.0.3\ndata-dir = /srv/x\n"}});
  BOOST_TEST(r.error.empty(), r.error);
  BOOST_TEST(r.cfg.port == 9001);
  BOOST_TEST(r.cfg.bind == "127.0.0.2");
  BOOST_TEST(r.cfg.data_dir == "/srv/x");
}

BOOST_AUTO_TEST_CASE(environment_names_are_derived_from_options) {
  BOOST_TEST(env_name("database-url") == "FORESIGHT_DATABASE_URL");
  auto r = load({}, {{"FORESIGHT_DATABASE_URL", "postgresql://x/y"}, {"FORESIGHT_DEMO", "yes"}});
  BOOST_TEST(r.cfg.database_url == "postgresql://x/y");
  BOOST_TEST(r.cfg.demo);
}

BOOST_AUTO_TEST_CASE(invalid_values_are_reported_with_their_source) {
  BOOST_TEST(load({"--port", "70000"}).error.find("--port") != std::string::npos);
  BOOST_TEST(load({}, {{"FORESIGHT_PORT", "x"}}).error.find("FORESIGHT_PORT") != std::string::npos);
  BOOST_TEST(!load({"--config", "/missing"}).error.empty());
  BOOST_TEST(load({"--config", "/f"}, {}, {{"/f", "nonsense = 1\n"}}).error.find("unknown option") !=
             std::string::npos);
  BOOST_TEST(!load({"--port"}).error.empty());
}

BOOST_AUTO_TEST_CASE(switches_and_subcommand_options) {
  auto r = load({"user", "add", "--id", "a1", "--admin", "--demo", "--role", "analyst"});
  BOOST_TEST(r.error.empty());
  BOOST_TEST(r.cfg.demo);
  BOOST_TEST(r.extra["id"] == "a1");
  BOOST_TEST(r.extra["admin"] == "true");
  BOOST_TEST(r.extra["role"] == "analyst");
  BOOST_TEST((r.positional == std::vector<std::string>{"user", "add"}));
}

BOOST_AUTO_TEST_CASE(switches_take_an_explicit_boolean_too) {
  auto r = load({"serve", "--log-requests", "false", "--demo"});
  BOOST_TEST(r.error.empty());
  BOOST_TEST(!r.cfg.log_requests);
  BOOST_TEST(r.cfg.demo);
  BOOST_TEST(r.positional == std::vector<std::string>{"serve"});
  BOOST_TEST(!load({"--log-requests=no"}).cfg.log_requests);
}

BOOST_AUTO_TEST_CASE(help_lists_every_option_with_its_variable) {
  auto text = config_help();
  for (auto& o : config_options()) {
    BOOST_TEST(text.find("--" + o.name) != std::string::npos);
    BOOST_TEST(text.find(env_name(o.name)) != std::string::npos);
    bool separated = text.find("--" + o.name + " ") != std::string::npos ||
                     text.find("--" + o.name + "\n") != std::string::npos;
    BOOST_TEST(separated, o.name << " runs into its help");
  }
}

BOOST_AUTO_TEST_CASE(secrets_come_from_files_or_the_environment_never_both_forms) {
  auto r = load({"serve", "--jwt-secret-file", "/run/jwt", "--database-url-file", "/run/db"},
                {{"FORESIGHT_LLM_API_KEY_FILE", "/run/key"}},
                {{"/run/jwt", "s3cret-from-a-file\n"},
                 {"/run/db", "postgresql://app:pw@db/x\r\n"},
                 {"/run/key", "sk-file"}});
  BOOST_TEST(r.error.empty(), r.error);
  BOOST_TEST(r.cfg.jwt_secret == "s3cret-from-a-file");
  BOOST_TEST(r.cfg.database_url == "postgresql://app:pw@db/x");
  BOOST_TEST(r.cfg.llm_api_key == "sk-file");
  BOOST_TEST(load({"serve"}, {{"FORESIGHT_JWT_SECRET", "from-env"}}).cfg.jwt_secret == "from-env");
  auto both = load({"serve", "--jwt-secret", "x", "--jwt-secret-file", "/run/jwt"}, {},
                   {{"/run/jwt", "y"}});
  BOOST_TEST(both.error.find("not both") != std::string::npos, both.error);
  BOOST_TEST(load({"serve", "--jwt-secret-file", "/missing"}).error.find("cannot read") == 0u);
  BOOST_TEST(load({"serve", "--jwt-secret-file", "/run/e"}, {}, {{"/run/e", "\n"}})
               .error.find("is empty") != std::string::npos);
  for (auto* name : {"jwt-secret", "llm-api-key", "database-url", "password"})
    BOOST_TEST(is_secret_option(name), name);
  BOOST_TEST(!is_secret_option("jwt-secret-file"));
}

BOOST_AUTO_TEST_CASE(login_limits_and_the_password_pool_are_on_by_default) {
  auto r = load({"serve"});
  BOOST_TEST(r.cfg.login_rate_per_address > 0);
  BOOST_TEST(r.cfg.login_rate_per_user > 0);
  BOOST_TEST(r.cfg.password_queue_max > 0);
}

BOOST_AUTO_TEST_CASE(without_a_node_id_the_node_is_alone_on_loopback) {
  auto r = load({"serve"});
  BOOST_TEST(r.error.empty(), r.error);
  BOOST_TEST(r.cfg.node_id.empty());
  BOOST_TEST(!clustered(r.cfg));
  BOOST_TEST(r.cfg.cluster_port == 0);
  BOOST_TEST(r.cfg.peers.empty());
  BOOST_TEST(!cluster_tls(r.cfg));
  BOOST_TEST(cluster_bind_address(r.cfg) == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(cluster_options_come_from_anywhere) {
  auto r = load({"serve", "--node-id", "a", "--peers=b=127.0.0.1:4302,c=127.0.0.1:4303"},
                {{"FORESIGHT_CLUSTER_PORT", "4301"}});
  BOOST_TEST(r.error.empty(), r.error);
  BOOST_TEST(clustered(r.cfg));
  BOOST_TEST(r.cfg.node_id == "a");
  BOOST_TEST(r.cfg.cluster_port == 4301);
  BOOST_TEST(r.cfg.peers == "b=127.0.0.1:4302,c=127.0.0.1:4303");
  auto f = load({"serve", "--config", "/f.conf", "--node-id", "a"}, {},
                {{"/f.conf", "cluster-bind = 127.0.0.2\ncluster-port = 65535\n"}});
  BOOST_TEST(f.error.empty(), f.error);
  BOOST_TEST(cluster_bind_address(f.cfg) == "127.0.0.2");
  BOOST_TEST(f.cfg.cluster_port == 65535);
  BOOST_TEST(load({}, {{"FORESIGHT_NODE_ID", "n-1_x"}}).cfg.node_id == "n-1_x");
}

BOOST_AUTO_TEST_CASE(a_node_id_must_be_valid) {
  for (auto* bad : {"A", "-a", "a b", "a.b", "abcdefghijabcdefghijabcdefghijabc"}) {
    auto r = load({"serve", "--node-id", bad});
    BOOST_TEST(r.error.find("node-id") != std::string::npos, bad << ": " << r.error);
  }
  BOOST_TEST(load({"serve", "--node-id", "a"}).error.empty());
  BOOST_TEST(load({"serve", "--cluster-port", "65536"}).error.find("--cluster-port") !=
             std::string::npos);
  BOOST_TEST(!load({"serve", "--cluster-port", "-1"}).error.empty());
}

BOOST_AUTO_TEST_CASE(peers_need_a_node_id_and_are_checked_against_it) {
  auto alone = load({"serve", "--peers", "b=127.0.0.1:4302"});
  BOOST_TEST(alone.error.find("--peers needs --node-id") != std::string::npos, alone.error);
  auto self = load({"serve", "--node-id", "b", "--peers", "b=127.0.0.1:4302"});
  BOOST_TEST(self.error.find("invalid --peers") == 0u, self.error);
  BOOST_TEST(self.error.find("itself") != std::string::npos, self.error);
  for (auto* bad : {"b", "b=127.0.0.1", "b=127.0.0.1:0", "B=127.0.0.1:1",
                    "b=127.0.0.1:1,b=127.0.0.1:2"}) {
    auto r = load({"serve", "--node-id", "a", "--peers", bad});
    BOOST_TEST(r.error.find("invalid --peers") == 0u, bad << ": " << r.error);
  }
  // The environment's peers meet the command line's node id: checked after every layer.
  BOOST_TEST(load({"serve", "--node-id", "a"}, {{"FORESIGHT_PEERS", "b=h:1"}}).error.empty());
}

BOOST_AUTO_TEST_CASE(cluster_tls_files_go_all_three_with_a_node_id) {
  std::vector<std::string> files = {"--cluster-cert", "/c.pem", "--cluster-key", "/k.pem",
                                    "--cluster-ca", "/ca.pem"};
  auto with = [&](std::vector<std::string> head, std::size_t n_files) {
    head.insert(head.end(), files.begin(), files.begin() + 2 * n_files);
    return load(head);
  };
  auto r = with({"serve", "--node-id", "a"}, 3);
  BOOST_TEST(r.error.empty(), r.error);
  BOOST_TEST(cluster_tls(r.cfg));
  BOOST_TEST(r.cfg.cluster_cert == "/c.pem");
  BOOST_TEST(r.cfg.cluster_key == "/k.pem");
  BOOST_TEST(r.cfg.cluster_ca == "/ca.pem");
  BOOST_TEST(cluster_bind_address(r.cfg) == "0.0.0.0");
  for (std::size_t n : {1u, 2u}) {
    auto partial = with({"serve", "--node-id", "a"}, n);
    BOOST_TEST(partial.error.find("all three or none") != std::string::npos, partial.error);
  }
  auto alone = with({"serve"}, 3);
  BOOST_TEST(alone.error.find("need --node-id") != std::string::npos, alone.error);
}

BOOST_AUTO_TEST_CASE(the_cluster_port_leaves_loopback_only_with_tls) {
  for (auto* loopback : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
    auto r = load({"serve", "--node-id", "a", "--cluster-bind", loopback});
    BOOST_TEST(r.error.empty(), loopback << ": " << r.error);
    BOOST_TEST(cluster_bind_address(r.cfg) == loopback);
  }
  for (auto* open : {"0.0.0.0", "10.0.0.3", "::", "node-a.example"}) {
    auto r = load({"serve", "--node-id", "a", "--cluster-bind", open});
    BOOST_TEST(r.error.find("may leave loopback only with --cluster-cert/--cluster-key/"
                            "--cluster-ca") != std::string::npos,
               open << ": " << r.error);
    auto tls = load({"serve", "--node-id", "a", "--cluster-bind", open, "--cluster-cert", "/c",
                     "--cluster-key", "/k", "--cluster-ca", "/ca"});
    BOOST_TEST(tls.error.empty(), open << ": " << tls.error);
    BOOST_TEST(cluster_bind_address(tls.cfg) == open);
  }
  BOOST_TEST(!load({"serve", "--cluster-bind", "0.0.0.0"}).error.empty());
}

BOOST_AUTO_TEST_SUITE_END()
