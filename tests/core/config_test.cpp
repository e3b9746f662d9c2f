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

BOOST_AUTO_TEST_SUITE_END()
