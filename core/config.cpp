// Option table and the layering of file, environment and command line.
#include "core/config.hpp"

#include "core/cluster_peers.hpp"
#include "core/experiment.hpp"
#include "core/question_ranker.hpp"

#include <cctype>
#include <limits>
#include <sstream>

namespace foresight {

namespace {

template <class T>
bool parse_integer(const std::string& text, T& out, long long lo, long long hi) {
  if (text.empty())
    return false;
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (...) {
    return false;
  }
  if (used != text.size() || v < lo || v > hi)
    return false;
  out = static_cast<T>(v);
  return true;
}

bool parse_bool(const std::string& text, bool& out) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") {
    out = true;
    return true;
  }
  if (text == "0" || text == "false" || text == "no" || text == "off") {
    out = false;
    return true;
  }
  return false;
}

// Helpers that build table rows for one member.
template <class T>
option_spec int_option(std::string name, std::string help, T config::*member, long long lo,
                       long long hi) {
  return {std::move(name), std::move(help),
          [=](config& c, const std::string& v) { return parse_integer(v, c.*member, lo, hi); },
          [=](const config& c) { return std::to_string(c.*member); }};
}

option_spec string_option(std::string name, std::string help, std::string config::*member,
                          bool secret = false) {
  return {std::move(name), std::move(help),
          [=](config& c, const std::string& v) {
            c.*member = v;
            return true;
          },
          [=](const config& c) { return secret ? std::string(c.*member).empty() ? "" : "***" : c.*member; }};
}

option_spec bool_option(std::string name, std::string help, bool config::*member) {
  return {std::move(name), std::move(help),
          [=](config& c, const std::string& v) { return parse_bool(v, c.*member); },
          [=](const config& c) { return std::string(c.*member ? "true" : "false"); }, true};
}

option_spec double_option(std::string name, std::string help, double config::*member, double lo,
                          double hi) {
  return {std::move(name), std::move(help),
          [=](config& c, const std::string& v) {
            try {
              std::size_t used = 0;
              double d = std::stod(v, &used);
              if (used != v.size() || !(d >= lo && d <= hi))
                return false;
              c.*member = d;
              return true;
            } catch (...) {
              return false;
            }
          },
          [=](const config& c) {
            std::ostringstream out;
            out << c.*member;
            return out.str();
          }};
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

const option_spec* find_option(const std::string& name) {
  for (auto& o : config_options())
    if (o.name == name)
      return &o;
  return nullptr;
}

/// The cluster options, checked together once every layer is in; empty when they fit.
std::string cluster_config_error(const config& c) {
  int tls_files = !c.cluster_cert.empty() + !c.cluster_key.empty() + !c.cluster_ca.empty();
  if (tls_files != 0 && tls_files != 3)
    return "--cluster-cert, --cluster-key and --cluster-ca go together: give all three or none";
  if (c.node_id.empty()) {
    if (!c.peers.empty())
      return "--peers needs --node-id (this node's id in the cluster)";
    if (tls_files != 0)
      return "--cluster-cert, --cluster-key and --cluster-ca need --node-id";
  }
  std::vector<cluster_member> peers;
  std::string error;
  if (!parse_cluster_peers(c.peers, c.node_id, peers, error))
    return "invalid --peers: " + error;
  if (!cluster_tls(c) && !is_loopback_host(cluster_bind_address(c)))
    return "--cluster-bind " + c.cluster_bind +
           ": the cluster port may leave loopback only with --cluster-cert/--cluster-key/"
           "--cluster-ca";
  return {};
}

} // namespace

const std::vector<option_spec>& config_options() {
  constexpr long long big = std::numeric_limits<int>::max();
  static const std::vector<option_spec> all = {
    string_option("bind", "address to listen on", &config::bind),
    int_option("port", "HTTP port (0 = any free port)", &config::port, 0, 65535),
    int_option("io-threads", "HTTP IO threads", &config::io_threads, 1, 64),
    int_option("max-body-bytes", "largest accepted request body", &config::max_body_bytes, 1024,
               1LL << 30),
    int_option("max-header-bytes", "largest accepted request head", &config::max_header_bytes,
               1024, 1 << 20),
    int_option("read-timeout-ms", "time allowed to receive one request", &config::read_timeout_ms,
               100, big),
    int_option("idle-timeout-ms", "idle keep-alive connections are closed after this",
               &config::idle_timeout_ms, 100, big),
    int_option("request-timeout-ms", "deadline for the actors to answer a request",
               &config::request_timeout_ms, 10, big),
    double_option("rate-limit", "requests per second per user, bursts of 2 s (0 = no limit)",
                  &config::rate_limit_per_user, 0, 1e9),
    double_option("login-rate-per-address",
                  "login attempts per second from one client address, bursts of 30 s (0 = no "
                  "limit)",
                  &config::login_rate_per_address, 0, 1e9),
    double_option("login-rate-per-user",
                  "login attempts per second for one username, bursts of 30 s (0 = no limit)",
                  &config::login_rate_per_user, 0, 1e9),
    int_option("max-connections",
               "open connections at most, more get 503 (0 = the open-file limit less a reserve)",
               &config::max_connections, 0, big),
    int_option("max-connections-per-address",
               "open connections from one client address (IPv6: one /64), more get 503 (0 = no "
               "cap)",
               &config::max_connections_per_address, 0, big),
    string_option("tls-cert", "PEM certificate chain; with --tls-key the listener speaks TLS 1.2+",
                  &config::tls_cert),
    string_option("tls-key", "PEM private key of --tls-cert", &config::tls_key),
    string_option("web-root", "folder of the web console and API reference files (default: web/ "
                  "beside the executable)", &config::web_root),
    string_option("data-dir", "data directory (embedded PostgreSQL, JWT secret)",
                  &config::data_dir),
    string_option("database-url", "PostgreSQL URL; empty runs the embedded cluster",
                  &config::database_url, true),
    string_option("database-url-file",
                  "file holding the PostgreSQL URL (instead of --database-url)",
                  &config::database_url_file),
    int_option("wal-reserve-mb",
               "WAL files the embedded PostgreSQL writes once when it creates its cluster and "
               "keeps for reuse (0: PostgreSQL's defaults)",
               &config::wal_reserve_mb, 0, 65536),
    int_option("db-pool-size", "storage worker threads, one connection each",
               &config::db_pool_size, 1, 256),
    int_option("actor-threads", "CAF scheduler threads", &config::actor_threads, 1, 64),
    int_option("session-idle-timeout-ms", "a user's session actor stops after this idle time",
               &config::session_idle_timeout_ms, 10, big),
    int_option("session-history",
               "latest questions a live session keeps for ranking (about 1 KB each)",
               &config::session_history, 10, 1000000),
    string_option("jwt-secret", "HS256 secret; empty: generated into the data directory",
                  &config::jwt_secret, true),
    string_option("jwt-secret-file", "file holding the HS256 secret (instead of --jwt-secret)",
                  &config::jwt_secret_file),
    int_option("token-ttl", "lifetime of issued tokens in seconds", &config::token_ttl_seconds, 1,
               big),
    int_option("pbkdf2-iterations", "PBKDF2-HMAC-SHA256 iterations for new password hashes",
               &config::pbkdf2_iterations, 1000, 10000000),
    int_option("password-threads", "threads checking and hashing passwords (0: half the cores)",
               &config::password_threads, 0, 256),
    int_option("password-queue-max", "password checks waiting for a thread before new ones get 429",
               &config::password_queue_max, 0, 100000),
    int_option("max-query-text-bytes", "largest accepted query_text",
               &config::max_query_text_bytes, 16, 1 << 20),
    int_option("writer-batch-max", "most activities committed in one transaction",
               &config::writer_batch_max, 1, 100000),
    int_option("writer-batch-wait-ms", "how long a free committer waits for a batch to fill",
               &config::writer_batch_wait_ms, 0, 1000),
    int_option("writer-queue-max", "activities waiting for commit before 503",
               &config::writer_queue_max, 1, 10000000),
    int_option("max-import-bytes", "largest accepted body of POST /api/v1/activity/import",
               &config::max_import_bytes, 1024, 1LL << 34),
    bool_option("fault-injection",
                "for tests only: admins may make a learner, cache shard or storage worker fail "
                "(POST /api/v1/debug/fault/{learner|cache|storage})",
                &config::fault_injection),
    bool_option("replay-clock",
                "for ./foresight eval only: activities and suggestion requests may carry their "
                "own time",
                &config::replay_clock),
    int_option("pattern-min-users",
               "distinct users a role or global pattern needs before anyone sees it",
               &config::pattern_min_users, 1, 1000000),
    int_option("pattern-flush-ms", "how often learners save new patterns",
               &config::pattern_flush_ms, 10, 600000),
    int_option("pattern-count-flush-ms",
               "how often learners save the changed counts of known patterns (at most as often "
               "as pattern-flush-ms)",
               &config::pattern_count_flush_ms, 10, 600000),
    {"patterns-rebuild-at", "nightly pattern rebuild, UTC HH:MM, or off",
     [](config& c, const std::string& v) {
       if (v != "off" && minute_of_day(v) < 0)
         return false;
       c.patterns_rebuild_at = v;
       return true;
     },
     [](const config& c) { return c.patterns_rebuild_at; }},
    int_option("patterns-rebuild-days", "the nightly rebuild replays this many days",
               &config::patterns_rebuild_days, 0, 100000),
    int_option("learner-nice",
               "how much nicer (lower priority) the pattern learners' threads run than the "
               "request path (0: the same)",
               &config::learner_nice, 0, 19),
    int_option("retention-days",
               "result rows inside response_data are dropped after this many days (0: kept)",
               &config::retention_days, 0, 100000),
    int_option("retention-every-s", "how often the retention job looks for old result rows",
               &config::retention_every_s, 1, 86400),
    int_option("suggestion-cache-ttl-s", "seconds a generated suggestion list is cached",
               &config::suggestion_cache_ttl_s, 1, big),
    int_option("suggestion-cache-shards", "suggestion cache actors (0: one per actor thread)",
               &config::suggestion_cache_shards, 0, 64),
    int_option("suggestion-cache-max", "cached suggestion lists kept in memory",
               &config::suggestion_cache_max, 1, big),
    int_option("suggestion-flush-ms", "write-behind interval of the suggestion cache",
               &config::suggestion_flush_ms, 10, 600000),
    {"suggestion-strategy",
     "ranking: history (the user's questions, follow-ups, the crowd, then templates and the LLM) "
     "or templates (learned templates and the LLM only)",
     [](config& c, const std::string& v) {
       if (!is_strategy(v))
         return false;
       c.suggestion_strategy = v;
       return true;
     },
     [](const config& c) { return c.suggestion_strategy; }},
    {"suggestion-experiment",
     "A/B test of strategies, e.g. history:50,templates:50 (each user keeps one arm); empty: "
     "everyone gets --suggestion-strategy",
     [](config& c, const std::string& v) {
       std::vector<experiment_arm> arms;
       std::string error;
       if (!parse_experiment(v, arms, error))
         return false;
       c.suggestion_experiment = v;
       return true;
     },
     [](const config& c) { return c.suggestion_experiment; }},
    int_option("suggestion-deadline-ms", "budget of one suggestion request, LLM included",
               &config::suggestion_deadline_ms, 50, 600000),
    string_option("llm-base-url",
                  "OpenAI-compatible API base (https://...; http only for loopback); empty: none",
                  &config::llm_base_url),
    string_option("llm-api-key", "LLM API key (default: $OPENAI_API_KEY)", &config::llm_api_key,
                  true),
    string_option("llm-api-key-file", "file holding the LLM API key (instead of --llm-api-key)",
                  &config::llm_api_key_file),
    string_option("llm-model", "chat completions model", &config::llm_model),
    int_option("llm-max-tokens", "max_tokens per completion", &config::llm_max_tokens, 1, 100000),
    double_option("llm-temperature", "sampling temperature", &config::llm_temperature, 0, 2),
    bool_option("llm-enabled", "use the LLM when one is configured (global switch)",
                &config::llm_enabled),
    int_option("llm-daily-calls-per-user", "LLM calls one user may cause per UTC day",
               &config::llm_daily_calls_per_user, 0, big),
    int_option("llm-max-concurrent", "LLM calls in flight at once", &config::llm_max_concurrent,
               1, 10000),
    int_option("llm-breaker-failures", "consecutive failed calls that open the circuit breaker",
               &config::llm_breaker_failures, 1, 10000),
    int_option("llm-breaker-open-ms", "how long the open breaker refuses calls",
               &config::llm_breaker_open_ms, 10, big),
    double_option("llm-price-in-per-mtok", "US$ per million prompt tokens, for the cost estimate",
                  &config::llm_price_in_per_mtok, 0, 1e6),
    double_option("llm-price-out-per-mtok",
                  "US$ per million completion tokens, for the cost estimate",
                  &config::llm_price_out_per_mtok, 0, 1e6),
    string_option("llm-ca-file", "extra CA bundle (PEM) for the LLM's TLS certificate",
                  &config::llm_ca_file),
    {"node-id",
     "this node's id in a cluster (1-32 of a-z, 0-9, _ and -); empty: a single node",
     [](config& c, const std::string& v) {
       if (!v.empty() && !valid_node_id(v))
         return false;
       c.node_id = v;
       return true;
     },
     [](const config& c) { return c.node_id; }},
    int_option("cluster-port", "port the cluster's nodes reach this one on (0 = any free port)",
               &config::cluster_port, 0, 65535),
    string_option("cluster-bind",
                  "address of the cluster port (default: 127.0.0.1; 0.0.0.0 with the cluster "
                  "TLS files, without which it may not leave loopback)",
                  &config::cluster_bind),
    string_option("peers",
                  "the other nodes of the cluster, e.g. b=127.0.0.1:4302,c=10.0.0.3:4303 (needs "
                  "--node-id); empty: none",
                  &config::peers),
    string_option("cluster-cert",
                  "PEM certificate of this node for TLS between the nodes (with --cluster-key "
                  "and --cluster-ca)",
                  &config::cluster_cert),
    string_option("cluster-key", "PEM private key of --cluster-cert", &config::cluster_key),
    string_option("cluster-ca", "PEM CA bundle the other nodes' certificates must chain to",
                  &config::cluster_ca),
    bool_option("demo", "create a demo admin, analyst and catalog on first start", &config::demo),
    bool_option("log-requests", "one JSON log line per request on stdout", &config::log_requests),
    string_option("config", "file of `option = value` lines", &config::config_file),
  };
  return all;
}

int minute_of_day(const std::string& hh_mm) {
  if (hh_mm.size() != 5 || hh_mm[2] != ':')
    return -1;
  int h = 0, m = 0;
  for (int i : {0, 1, 3, 4})
    if (hh_mm[i] < '0' || hh_mm[i] > '9')
      return -1;
  h = (hh_mm[0] - '0') * 10 + (hh_mm[1] - '0');
  m = (hh_mm[3] - '0') * 10 + (hh_mm[4] - '0');
  return h < 24 && m < 60 ? h * 60 + m : -1;
}

std::string env_name(const std::string& option) {
  std::string out = "FORESIGHT_";
  for (char c : option)
    out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

config_result load_config(const std::vector<std::string>& args,
                          const std::function<std::string(const std::string&)>& env,
                          const std::function<bool(const std::string&, std::string&)>& read_file) {
  config_result r;
  // Split the command line first: it may name the config file.
  std::vector<std::pair<std::string, std::string>> cli;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      r.positional.push_back(a);
      continue;
    }
    auto eq = a.find('=');
    std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::string value;
    bool ignored = false;
    auto* spec = find_option(name);
    bool next_is_value = i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0;
    if (eq != std::string::npos)
      value = a.substr(eq + 1);
    else if (spec && spec->flag && next_is_value && parse_bool(args[i + 1], ignored))
      value = args[++i]; // `--demo false`
    else if (spec ? spec->flag : !next_is_value)
      value = "true"; // a switch such as --demo or a subcommand's --admin
    else if (next_is_value)
      value = args[++i];
    else {
      r.error = "option --" + name + " needs a value";
      return r;
    }
    cli.emplace_back(name, value);
  }
  auto apply = [&](const std::string& name, const std::string& value, const std::string& source) {
    auto* spec = find_option(name);
    if (!spec)
      return false;
    if (!spec->set(r.cfg, value))
      r.error = "invalid value '" + value + "' for " + name + " (from " + source + ")";
    return true;
  };
  // The config file's name may come from the command line or the environment.
  std::string file = env(env_name("config"));
  for (auto& [n, v] : cli)
    if (n == "config")
      file = v;
  if (!file.empty()) {
    std::string text;
    if (!read_file(file, text)) {
      r.error = "cannot read config file " + file;
      return r;
    }
    std::istringstream in(text);
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      line = trim(line);
      if (line.empty() || line[0] == '#')
        continue;
      auto eq = line.find('=');
      if (eq == std::string::npos) {
        r.error = file + ":" + std::to_string(line_no) + ": expected `option = value`";
        return r;
      }
      auto name = trim(line.substr(0, eq));
      if (!apply(name, trim(line.substr(eq + 1)), file)) {
        r.error = file + ":" + std::to_string(line_no) + ": unknown option " + name;
        return r;
      }
      if (!r.error.empty())
        return r;
    }
  }
  for (auto& o : config_options()) {
    auto v = env(env_name(o.name));
    if (!v.empty() && (apply(o.name, v, env_name(o.name)), !r.error.empty()))
      return r;
  }
  for (auto& [n, v] : cli) {
    if (!apply(n, v, "--" + n))
      r.extra[n] = v;
    if (!r.error.empty())
      return r;
  }
  r.cfg.config_file = file;
  // Secrets kept in files: read now, so everything after sees only the value.
  struct secret_file {
    const char* name;
    std::string config::*value;
    std::string config::*path;
  };
  for (auto& s : {secret_file{"jwt-secret", &config::jwt_secret, &config::jwt_secret_file},
                  secret_file{"llm-api-key", &config::llm_api_key, &config::llm_api_key_file},
                  secret_file{"database-url", &config::database_url, &config::database_url_file}}) {
    auto& path = r.cfg.*(s.path);
    if (path.empty())
      continue;
    if (!(r.cfg.*(s.value)).empty()) {
      r.error = std::string("give --") + s.name + " or --" + s.name + "-file, not both";
      return r;
    }
    std::string text;
    if (!read_file(path, text)) {
      r.error = "cannot read " + path + " (--" + s.name + "-file)";
      return r;
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    if (text.empty()) {
      r.error = path + " is empty (--" + s.name + "-file)";
      return r;
    }
    r.cfg.*(s.value) = std::move(text);
  }
  r.error = cluster_config_error(r.cfg);
  return r;
}

bool clustered(const config& cfg) {
  return !cfg.node_id.empty();
}

bool cluster_tls(const config& cfg) {
  return !cfg.cluster_cert.empty() && !cfg.cluster_key.empty() && !cfg.cluster_ca.empty();
}

std::string cluster_bind_address(const config& cfg) {
  if (!cfg.cluster_bind.empty())
    return cfg.cluster_bind;
  return cluster_tls(cfg) ? "0.0.0.0" : "127.0.0.1";
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

bool is_secret_option(const std::string& name) {
  return name == "jwt-secret" || name == "llm-api-key" || name == "database-url" ||
         name == "password";
}

std::string config_help() {
  std::ostringstream out;
  config defaults;
  for (auto& o : config_options()) {
    out << "  --" << o.name;
    // A name too long for the column puts its help on the next line, never against it.
    if (o.name.size() >= 26)
      out << "\n" << std::string(30, ' ');
    for (auto n = o.name.size(); n < 26; ++n)
      out << ' ';
    out << o.help << "\n" << std::string(30, ' ') << "env " << env_name(o.name);
    auto d = o.get(defaults);
    if (!d.empty())
      out << ", default " << d;
    out << "\n";
  }
  return out.str();
}

} // namespace foresight
