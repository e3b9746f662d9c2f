// foresightd: the server and its admin subcommands (serve, migrate, user add, token).
// The commands themselves live beside it: app/serve.cpp and app/commands.cpp.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "app/commands.hpp"
#include "app/serve.hpp"
#include "core/config.hpp"
#include "core/redact.hpp"

using namespace foresight;
using namespace foresight::cli;

namespace {

const char* usage = R"(foresightd: activity tracking and personalized query suggestions

usage:
  foresightd serve   [options]        run the HTTP server (default 127.0.0.1:8000)
  foresightd migrate [options]        apply pending database migrations and exit
  foresightd user add --id ID --role ROLE [--username NAME] [--department D]
                     [--goals '["..."]'] --password-stdin [--admin] [options]
                     (the password is the first line of stdin)
  foresightd user passwd --id ID [options]   set a user's password to the first line of
                     stdin; tokens issued before stop working once the server (re)starts
  foresightd token --user ID [--ttl SECONDS] [options]   print a signed bearer token
  foresightd patterns rebuild [--days 90] [options]     recompute every pattern from the
                     activities of the last N days (0: all); a running server picks it up
  foresightd import FILE [options]    store an NDJSON activity history (one activity per
                     line, with user_id and created_at; - reads stdin) straight into the
                     database, idempotently; prints the report as JSON. Learners learn the rows
                     when a server next starts; with one running, run patterns rebuild after
  foresightd catalog infer FILE [--min-count 2] [--name NAME]   print a connection catalog
                     (PUT /api/v1/connections/{id} body) inferred from the file's query texts
  foresightd help                     this text

Without --database-url, foresightd runs a private PostgreSQL cluster in <data-dir>/postgres.
With --node-id and --peers, serve runs one node of a cluster whose nodes meet on their
--cluster-port (loopback only, unless --cluster-cert, --cluster-key and --cluster-ca are given);
without --node-id it runs a single node. GET /api/v1/cluster (admin) shows the members.
Every option can also be given as an environment variable or in a --config file.

options:
)";

} // namespace

/// Re-executes foresightd (same pid) when its command line must change:
/// - secrets given as options (`ps` shows argv to every local user) move into the environment,
///   which only this user and root can read, and come back through FORESIGHT_<NAME>;
/// - `serve` asks glibc for a larger per-thread allocation cache: glibc keeps 7 freed blocks per
///   size and thread by default, and a request allocates on one thread and frees on another in
///   bursts larger than that (the pattern path's throughput, bench/README.md). Tunables are read
///   only at process start; an operator's own GLIBC_TUNABLES wins.
/// A failed exec changes nothing.
void reexec_if_needed(int argc, char** argv, bool raise_malloc_thread_cache) {
  std::vector<char*> kept = {argv[0]};
  std::vector<std::string> moved;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto eq = a.find('=');
    auto name = a.rfind("--", 0) == 0 ? a.substr(2, eq == std::string::npos ? eq : eq - 2) : "";
    if (!is_secret_option(name)) {
      kept.push_back(argv[i]);
      continue;
    }
    std::string value = eq != std::string::npos ? a.substr(eq + 1) : i + 1 < argc ? argv[++i] : "";
    ::setenv(env_name(name).c_str(), value.c_str(), 1);
    moved.push_back(env_name(name));
  }
  kept.push_back(nullptr);
  bool tunables = raise_malloc_thread_cache && std::getenv("GLIBC_TUNABLES") == nullptr;
  if (moved.empty() && !tunables)
    return;
  if (tunables)
    ::setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=1000", 1);
  ::execv("/proc/self/exe", kept.data());
  if (tunables)
    ::unsetenv("GLIBC_TUNABLES");
  for (auto& name : moved)
    ::unsetenv(name.c_str());
}

/// Secrets read into `r` leave the environment, so that children (the PostgreSQL server, run as
/// another user) do not inherit them. OPENAI_API_KEY is the LLM key's conventional fallback, and
/// FORESIGHT_PASSWORD the environment form of `user add --password`.
void take_secrets_from_environment(config_result& r, const std::string& cmd) {
  if (const char* key = std::getenv("OPENAI_API_KEY"); key && r.cfg.llm_api_key.empty())
    r.cfg.llm_api_key = key;
  if (const char* password = std::getenv("FORESIGHT_PASSWORD"); password && cmd == "user")
    r.extra.emplace("password", password);
  for (auto* name : {"jwt-secret", "llm-api-key", "database-url", "password"})
    ::unsetenv(env_name(name).c_str());
  ::unsetenv("OPENAI_API_KEY");
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto r = load_config(
    args,
    [](const std::string& name) {
      auto* v = std::getenv(name.c_str());
      return std::string(v ? v : "");
    },
    [](const std::string& path, std::string& out) {
      std::ifstream in(path);
      if (!in)
        return false;
      std::stringstream ss;
      ss << in.rdbuf();
      out = ss.str();
      return true;
    });
  auto cmd = r.positional.empty() ? std::string("help") : r.positional[0];
  if (cmd == "help" || r.extra.count("help")) {
    std::cout << usage << config_help();
    return 0;
  }
  if (!r.error.empty()) {
    std::cerr << "foresightd: " << r.error << "\n";
    return 2;
  }
  reexec_if_needed(argc, argv, cmd == "serve");
  take_secrets_from_environment(r, cmd);
  try {
    if (cmd == "serve" || cmd == "migrate") {
      if (!r.extra.empty()) {
        std::cerr << "foresightd: unknown option --" << r.extra.begin()->first
                  << " (see foresightd help)\n";
        return 2;
      }
      return cmd == "serve" ? serve(r.cfg) : migrate(r.cfg);
    }
    if (cmd == "user" && r.positional.size() > 1 && r.positional[1] == "add")
      return user_add(r);
    if (cmd == "user" && r.positional.size() > 1 && r.positional[1] == "passwd")
      return user_passwd(r);
    if (cmd == "token")
      return token(r);
    if (cmd == "patterns" && r.positional.size() > 1 && r.positional[1] == "rebuild")
      return patterns_rebuild(r);
    if (cmd == "import")
      return import_file(r);
    if (cmd == "catalog" && r.positional.size() > 1 && r.positional[1] == "infer")
      return catalog_infer(r);
    std::cerr << "foresightd: unknown command '" << cmd << "' (see foresightd help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "foresightd: " << redact_credentials(e.what()) << "\n";
    return 1;
  }
}
