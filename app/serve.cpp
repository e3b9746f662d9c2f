#include "app/serve.hpp"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <pthread.h>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "actors/activity_importer.hpp"
#include "actors/app.hpp"
#include "app/data_dir.hpp"
#include "core/log.hpp"
#include "core/password_hash.hpp"
#include "core/redact.hpp"
#include "http/handlers.hpp"
#include "http/server.hpp"
#include "llm/llm_client.hpp"
#include "storage/store_set.hpp"

namespace foresight::cli {

namespace {

/// On first start with --demo: an admin, an analyst and a sales catalog to try things with.
/// Their passwords are random, and returned (to be shown once) only when the users are created.
std::vector<std::pair<std::string, std::string>> seed_demo(store_set& db, const config& cfg) {
  std::vector<std::pair<std::string, std::string>> created;
  auto add = [&](new_user u) {
    user_profile existing;
    if (db.users.find_user(u.id, existing))
      return;
    u.password = hex_encode(random_bytes(12));
    db.users.insert_user(u, password_hash(u.password, cfg.pbkdf2_iterations), "demo");
    created.emplace_back(u.id, u.password);
  };
  add({"admin", "admin", "", "admin", "Operations", "[]", true, {}});
  add({"analyst001", "analyst001", "", "analyst", "Finance", R"(["grow margin"])", false, {}});
  connection_catalog c;
  if (!db.catalogs.get_catalog("demo-sales", c)) {
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
    db.catalogs.put_catalog(c, "demo");
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

} // namespace

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
  // Demo users are for trying things on one's own machine, never on a reachable address.
  if (cfg.demo && !is_loopback_host(cfg.bind)) {
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
    store_set db{st.conninfo};
    int applied = db.schema.migrate();
    log_event("info", "migrations applied", {{"count", std::to_string(applied), true}});
    if (cfg.demo)
      demo_logins = seed_demo(db, cfg);
    password_changes = db.users.password_changes();
  }
  auto secret = load_jwt_secret(cfg);
  actor_app app{cfg, st.conninfo, secret};
  // The activity writer published its importer when actor_app spawned it.
  api_handlers handlers{app, cfg, secret, running_activity_importer(), load_web_root(cfg)};
  // Other nodes' changes from now on, then everything stored (a change made while this node
  // was starting is in one or the other).
  app.on_password_changed_elsewhere([&handlers](const std::string& user_id, std::int64_t at) {
    handlers.password_changed(user_id, at);
  });
  if (clustered(cfg))
    password_changes = store_set{st.conninfo}.users.password_changes();
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

} // namespace foresight::cli
