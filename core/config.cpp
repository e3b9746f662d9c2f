// Option table and the layering of file, environment and command line.
#include "core/config.hpp"

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
    {"rate-limit", "requests per second per user, bursts of 2 s (0 = no limit)",
     [](config& c, const std::string& v) {
       try {
         std::size_t used = 0;
         double d = std::stod(v, &used);
         if (used != v.size() || d < 0)
           return false;
         c.rate_limit_per_user = d;
         return true;
       } catch (...) {
         return false;
       }
     },
     [](const config& c) { return std::to_string(c.rate_limit_per_user); }},
    string_option("data-dir", "data directory (embedded PostgreSQL, JWT secret)",
                  &config::data_dir),
    string_option("database-url", "PostgreSQL URL; empty runs the embedded cluster",
                  &config::database_url, true),
    int_option("db-pool-size", "storage worker threads, one connection each",
               &config::db_pool_size, 1, 256),
    int_option("actor-threads", "CAF scheduler threads", &config::actor_threads, 1, 64),
    int_option("session-idle-timeout-ms", "a user's session actor stops after this idle time",
               &config::session_idle_timeout_ms, 10, big),
    string_option("jwt-secret", "HS256 secret; empty: generated into the data directory",
                  &config::jwt_secret, true),
    int_option("token-ttl", "lifetime of issued tokens in seconds", &config::token_ttl_seconds, 1,
               big),
    int_option("pbkdf2-iterations", "PBKDF2-HMAC-SHA256 iterations for new password hashes",
               &config::pbkdf2_iterations, 1000, 10000000),
    int_option("max-query-text-bytes", "largest accepted query_text",
               &config::max_query_text_bytes, 16, 1 << 20),
    int_option("writer-batch-max", "most activities committed in one transaction",
               &config::writer_batch_max, 1, 100000),
    int_option("writer-batch-wait-ms", "how long a free committer waits for a batch to fill",
               &config::writer_batch_wait_ms, 0, 1000),
    int_option("writer-queue-max", "activities waiting for commit before 503",
               &config::writer_queue_max, 1, 10000000),
    int_option("pattern-min-users",
               "distinct users a role or global pattern needs before anyone sees it",
               &config::pattern_min_users, 1, 1000000),
    int_option("pattern-flush-ms", "how often learners save changed patterns",
               &config::pattern_flush_ms, 10, 600000),
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
  return r;
}

std::string config_help() {
  std::ostringstream out;
  config defaults;
  for (auto& o : config_options()) {
    out << "  --" << o.name;
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
