// foresightd: the server and its admin subcommands (serve, migrate, user add, token).
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actors/activity_importer.hpp"
#include "actors/app.hpp"
#include "core/activity_import.hpp"
#include "core/catalog_infer.hpp"
#include "core/views.hpp"
#include "core/config.hpp"
#include "core/jwt.hpp"
#include "core/log.hpp"
#include "core/password_hash.hpp"
#include "core/pattern_book.hpp"
#include "core/redact.hpp"
#include "core/payloads.hpp"
#include "http/handlers.hpp"
#include "http/server.hpp"
#include "llm/llm_client.hpp"
#include "storage/database.hpp"
#include "storage/embedded_postgres.hpp"

using namespace foresight;
namespace fs = std::filesystem;

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
Every option can also be given as an environment variable or in a --config file.

options:
)";

/// The data directory's exclusive lock: held by `serve` for its whole life.
class data_dir_lock {
public:
  explicit data_dir_lock(const std::string& dir) {
    fs::create_directories(dir);
    // CLOEXEC: the PostgreSQL server we fork must not inherit (and so keep holding) the lock.
    fd_ = ::open((dir + "/foresightd.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  }
  ~data_dir_lock() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  bool try_lock() { return fd_ >= 0 && flock(fd_, LOCK_EX | LOCK_NB) == 0; }

private:
  int fd_ = -1;
};

/// The store, embedded or external, for the lifetime of one command.
struct store {
  std::unique_ptr<embedded_postgres> cluster;
  std::string conninfo;
};

store open_store(const config& cfg, bool serving, data_dir_lock& lock) {
  store s;
  if (!cfg.database_url.empty()) {
    s.conninfo = cfg.database_url;
    return s;
  }
  s.cluster = std::make_unique<embedded_postgres>(cfg.data_dir);
  bool owner = lock.try_lock();
  if (serving && !owner)
    throw std::runtime_error("another foresightd is serving " + cfg.data_dir);
  // A subcommand next to a running server shares its cluster instead of restarting it.
  s.conninfo = s.cluster->start(/*reuse_running=*/!owner);
  return s;
}

/// FORESIGHT_JWT_SECRET / --jwt-secret, else a secret generated once into the data directory.
std::string load_jwt_secret(const config& cfg) {
  if (!cfg.jwt_secret.empty()) {
    if (cfg.jwt_secret.size() < min_hs256_key_bytes)
      throw std::runtime_error("the JWT secret must have at least " +
                               std::to_string(min_hs256_key_bytes) + " bytes (RFC 7518 §3.2)");
    return cfg.jwt_secret;
  }
  fs::create_directories(cfg.data_dir);
  auto path = cfg.data_dir + "/jwt_secret";
  if (std::ifstream in{path}) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32)
      return secret;
  }
  auto secret = hex_encode(random_bytes(32));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ::write(fd, secret.data(), secret.size()) != static_cast<ssize_t>(secret.size()))
    throw std::runtime_error("cannot write " + path);
  ::fchmod(fd, 0600);
  ::close(fd);
  return secret;
}

std::string make_token(const std::string& user_id, int ttl, const std::string& secret) {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  return jwt_sign({user_id, now, now + ttl}, secret);
}

/// On first start with --demo: an admin, an analyst and a sales catalog to try things with.
/// Their passwords are random, and returned (to be shown once) only when the users are created.
std::vector<std::pair<std::string, std::string>> seed_demo(database& db, const config& cfg) {
  std::vector<std::pair<std::string, std::string>> created;
  auto add = [&](new_user u) {
    user_profile existing;
    if (db.find_user(u.id, existing))
      return;
    u.password = hex_encode(random_bytes(12));
    db.insert_user(u, password_hash(u.password, cfg.pbkdf2_iterations), "demo");
    created.emplace_back(u.id, u.password);
  };
  add({"admin", "admin", "", "admin", "Operations", "[]", true, {}});
  add({"analyst001", "analyst001", "", "analyst", "Finance", R"(["grow margin"])", false, {}});
  connection_catalog c;
  if (!db.get_catalog("demo-sales", c)) {
    c.id = "demo-sales";
    c.name = "Demo sales warehouse";
    c.metrics = {{"revenue", "Revenue", "Gross revenue", "sum"},
                 {"profit", "Profit", "Revenue minus costs", "sum"},
                 {"margin", "Profit margin", "Profit over revenue", "avg"},
                 {"volume", "Volume", "Units sold", "sum"},
                 {"price", "Price", "Average unit price", "avg"}};
    c.dimensions = {{"region", "Region", "string"},
                    {"quarter", "Quarter", "time"},
                    {"product_category", "Product category", "string"}};
    c.entities = {{"product", "Products"}, {"customer", "Customers"}, {"stock", "Stocks"}};
    db.put_catalog(c, "demo");
  }
  return created;
}

/// The console's and API reference's files: --web-root, or the `web` folder the build assembles
/// beside the executable. Without them the API still works; `/` and `/docs` answer 404.
static_site load_web_root(const config& cfg) {
  std::error_code ec;
  auto root = cfg.web_root.empty()
                ? (std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / "web").string()
                : cfg.web_root;
  auto site = static_site::load(root);
  if (site.find("/") == nullptr)
    log_event("warn", "web console not found; / and /docs answer 404",
              {{"web_root", root}});
  else
    log_event("info", "web console loaded",
              {{"web_root", root}, {"files", std::to_string(site.size()), true}});
  return site;
}

/// Demo users are for trying things on one's own machine, never on a reachable address.
bool is_loopback(const std::string& bind) {
  return bind == "localhost" || bind == "::1" || bind.rfind("127.", 0) == 0;
}

int serve(const config& cfg) {
  // Signals are taken by sigwait below; block them before any thread exists so none gets them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  // A misconfigured LLM is an operator's mistake to hear about now, not at the first request.
  if (!cfg.llm_base_url.empty()) {
    try {
      llm_client::check_base_url(cfg.llm_base_url);
    } catch (const std::invalid_argument& e) {
      std::cerr << "foresightd: " << redact_credentials(e.what()) << "\n";
      return 2;
    }
  }
  if (cfg.demo && !is_loopback(cfg.bind)) {
    std::cerr << "foresightd: --demo creates users with well-known names and is for a loopback "
                 "address only; refusing --bind "
              << cfg.bind << " (drop --demo, or bind 127.0.0.1)\n";
    return 2;
  }
  try {
    check_tls(cfg);
  } catch (const std::runtime_error& e) {
    std::cerr << "foresightd: " << e.what() << "\n";
    return 2;
  }
  data_dir_lock lock{cfg.data_dir};
  auto st = open_store(cfg, true, lock);
  std::vector<std::pair<std::string, std::string>> demo_logins;
  std::vector<std::pair<std::string, std::int64_t>> password_changes;
  {
    database db{st.conninfo};
    int applied = db.migrate();
    log_event("info", "migrations applied", {{"count", std::to_string(applied), true}});
    if (cfg.demo)
      demo_logins = seed_demo(db, cfg);
    password_changes = db.password_changes();
  }
  auto secret = load_jwt_secret(cfg);
  actor_app app{cfg, st.conninfo, secret};
  // The activity writer published its importer when actor_app spawned it.
  api_handlers handlers{app, cfg, secret, running_activity_importer(), load_web_root(cfg)};
  for (auto& [user_id, changed_at] : password_changes)
    handlers.password_changed(user_id, changed_at);
  http_server server{cfg, handlers};
  auto port = server.start();
  auto scheme = cfg.tls_cert.empty() ? "http://" : "https://";
  auto base = scheme + cfg.bind + ":" + std::to_string(port);
  log_event("info", "listening", {{"url", base}, {"port", std::to_string(port), true}});
  if (cfg.demo) {
    std::cout << "\nForesight is listening on " << base << "\n";
    // Shown this once: the passwords are stored only as hashes.
    if (!demo_logins.empty()) {
      std::cout << "Demo logins (shown only now; change them with `foresightd user passwd`):\n";
      for (auto& [user, password] : demo_logins)
        std::cout << "  " << user << " / " << password << "\n";
    }
    std::cout << "Log in: curl -s -X POST " << base << "/api/v1/auth/token -H 'Content-Type: "
              << "application/json' -d '{\"username\":\"admin\",\"password\":\"...\"}'\n\n"
              << std::flush;
  }
  int sig = 0;
  sigwait(&sigs, &sig);
  log_event("info", "shutting down", {{"signal", std::to_string(sig), true}});
  server.shutdown(10000);
  app.shutdown();
  if (st.cluster)
    st.cluster->stop();
  log_event("info", "stopped");
  return 0;
}

int migrate(const config& cfg) {
  data_dir_lock lock{cfg.data_dir};
  auto st = open_store(cfg, false, lock);
  database db{st.conninfo};
  int applied = db.migrate();
  std::cout << "applied " << applied << " migration(s); schema at version "
            << db.readiness().schema_version << "\n";
  return 0;
}

std::string take(config_result& r, const std::string& name) {
  auto i = r.extra.find(name);
  if (i == r.extra.end())
    return {};
  auto v = i->second;
  r.extra.erase(i);
  return v;
}

/// Runs an admin subcommand against the migrated store, once every option has been claimed.
template <class F>
int with_database(config_result& r, F run) {
  if (!r.extra.empty())
    throw std::runtime_error("unknown option --" + r.extra.begin()->first);
  data_dir_lock lock{r.cfg.data_dir};
  auto st = open_store(r.cfg, false, lock);
  database db{st.conninfo};
  db.migrate();
  run(db);
  return 0;
}

/// The first line of stdin: passwords never travel on a command line, where `ps` shows them.
std::string read_password_line() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return line;
}

int user_add(config_result& r) {
  new_user u;
  u.id = take(r, "id");
  u.username = take(r, "username");
  u.role = take(r, "role");
  u.department = take(r, "department");
  u.password = take(r, "password"); // --password or FORESIGHT_PASSWORD, off argv by now
  auto goals = take(r, "goals");
  u.is_admin = take(r, "admin") == "true";
  if (take(r, "password-stdin") == "true")
    u.password = read_password_line();
  if (u.username.empty())
    u.username = u.id;
  if (!is_valid_identifier(u.id))
    throw std::runtime_error("--id is required: letters, digits and _ . @ - (at most 100)");
  if (u.role.empty())
    throw std::runtime_error("--role is required");
  if (u.password.size() < 8)
    throw std::runtime_error("--password-stdin is required (a password of at least 8 characters)");
  if (!goals.empty()) {
    if (auto err = normalise_string_array(goals, "--goals", u.goals_json))
      throw std::runtime_error(err.message);
  }
  return with_database(r, [&](database& db) {
    auto p = db.insert_user(u, password_hash(u.password, r.cfg.pbkdf2_iterations), "cli");
    std::cout << "created user " << p.id << " (role " << p.role << (p.is_admin ? ", admin" : "")
              << ")\n";
  });
}

/// `foresightd user passwd --id ID`: the new password is the first line of stdin.
int user_passwd(config_result& r) {
  auto id = take(r, "id");
  if (id.empty())
    throw std::runtime_error("usage: foresightd user passwd --id ID (new password on stdin)");
  auto password = read_password_line();
  if (password.size() < 8)
    throw std::runtime_error("the new password (first line of stdin) needs at least 8 characters");
  return with_database(r, [&](database& db) {
    if (db.set_password(id, password_hash(password, r.cfg.pbkdf2_iterations), "cli") < 0)
      throw std::runtime_error("no user '" + id + "'");
    std::cout << "changed the password of " << id << "\n";
  });
}

int token(config_result& r) {
  auto user = take(r, "user");
  auto ttl_text = take(r, "ttl");
  long ttl = r.cfg.token_ttl_seconds;
  if (!ttl_text.empty()) {
    char* end = nullptr;
    ttl = std::strtol(ttl_text.c_str(), &end, 10);
    if (*end != '\0')
      ttl = 0;
  }
  if (user.empty() || ttl <= 0 || ttl > 100000000)
    throw std::runtime_error("usage: foresightd token --user ID [--ttl SECONDS]");
  return with_database(r, [&](database& db) {
    user_profile p;
    if (!db.find_user(user, p))
      throw std::runtime_error("no user '" + user + "'");
    std::cout << make_token(user, static_cast<int>(ttl), load_jwt_secret(r.cfg)) << "\n";
  });
}

int patterns_rebuild(config_result& r) {
  auto days_text = take(r, "days");
  long days = 90;
  if (!days_text.empty()) {
    char* end = nullptr;
    days = std::strtol(days_text.c_str(), &end, 10);
    if (*end != '\0' || days < 0 || days > 100000)
      throw std::runtime_error("--days must be a whole number of days (0: all history)");
  }
  return with_database(r, [&](database& db) {
    // The same bookkeeping as the learner shards, run to the end of the history here.
    db.reset_patterns(static_cast<int>(days));
    std::vector<pattern_book> books;
    for (int shard = 0; shard < pattern_shards; ++shard)
      books.emplace_back(db.load_pattern_shard(shard));
    for (auto& c : db.list_catalogs().items)
      for (auto& b : books)
        b.set_catalog(c);
    constexpr int page = 5000;
    auto after = books.front().watermark();
    std::size_t replayed = 0;
    for (;;) {
      auto batch = db.replay_activities(after, page);
      for (auto& a : batch.items)
        for (auto& b : books)
          b.apply(a);
      replayed += batch.items.size();
      if (batch.items.size() < static_cast<std::size_t>(page))
        break;
      after = batch.items.back().id;
    }
    std::size_t patterns = 0;
    for (auto& b : books) {
      patterns += b.patterns().size();
      db.save_pattern_shard(b.take_changes());
    }
    std::cout << "replayed " << replayed << " activities into " << patterns << " patterns\n";
  });
}

/// The whole of FILE, or of stdin for "-".
std::string read_input(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  ss << in.rdbuf();
  return ss.str();
}

/// `foresightd import FILE`: the route's parser, validator and keys, inserting straight into the
/// database (one statement, so one transaction, per chunk).
int import_file(config_result& r) {
  if (r.positional.size() != 2)
    throw std::runtime_error("usage: foresightd import FILE [options] (- reads stdin)");
  auto body = read_input(r.positional[1]);
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    throw std::runtime_error(r.positional[1] + " is empty; one JSON activity per line expected");
  return with_database(r, [&](database& db) {
    import_report report;
    auto lines = parse_import(body, r.cfg.max_query_text_bytes, report);
    std::string().swap(body);
    import_run run{std::move(lines), std::move(report)};
    run.resolve_users([&](const std::string& id, user_profile& out) { return db.find_user(id, out); });
    auto chunk_rows = static_cast<std::size_t>(std::max(1, r.cfg.writer_batch_max));
    std::int64_t unanalysed = 0;
    auto store = [&](const activity_batch& chunk) {
      auto items = db.insert_activities(chunk).items;
      for (auto& item : items)
        unanalysed += item.replayed ? 0 : 1;
      run.stored(items);
    };
    while (!run.finished()) {
      auto chunk = run.next_chunk(chunk_rows);
      if (chunk.rows.empty())
        continue;
      try {
        store(chunk);
      } catch (const std::exception&) {
        // One retry on a fresh connection (the keys make it safe), then the chunk is reported.
        db.disconnect();
        try {
          store(chunk);
        } catch (const std::exception& again) {
          db.disconnect();
          run.failed(make_error(error_code::unavailable, database_error_summary(again.what())));
        }
      }
      // Fresh planner statistics, as the server's importer keeps them (analyze_activities).
      if (unanalysed >= 20000) {
        db.analyze_activities();
        unanalysed = 0;
      }
    }
    if (unanalysed >= 1000)
      db.analyze_activities();
    std::cout << import_report_json(run.take_report()) << "\n";
  });
}

/// `foresightd catalog infer FILE`: a catalog from the query texts alone; no database.
int catalog_infer(config_result& r) {
  catalog_inference_options options;
  auto min_count = take(r, "min-count");
  auto name = take(r, "name");
  if (!r.extra.empty())
    throw std::runtime_error("unknown option --" + r.extra.begin()->first);
  if (r.positional.size() != 3)
    throw std::runtime_error("usage: foresightd catalog infer FILE [--min-count 2] [--name NAME]");
  if (!min_count.empty()) {
    char* end = nullptr;
    auto n = std::strtol(min_count.c_str(), &end, 10);
    if (*end != '\0' || n < 1 || n > 1000000)
      throw std::runtime_error("--min-count must be a whole number from 1");
    options.min_count = static_cast<std::size_t>(n);
  }
  if (!name.empty())
    options.name = name;
  auto catalog = infer_catalog(query_texts_of_ndjson(read_input(r.positional[2])), options);
  std::cout << catalog_body_json(catalog) << "\n";
  return 0;
}

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
