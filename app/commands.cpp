#include "app/commands.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/data_dir.hpp"
#include "core/activity_import.hpp"
#include "core/catalog_infer.hpp"
#include "core/jwt.hpp"
#include "core/password_hash.hpp"
#include "core/pattern_book.hpp"
#include "core/payloads.hpp"
#include "core/redact.hpp"
#include "core/views.hpp"
#include "storage/store_set.hpp"

namespace foresight::cli {

namespace {

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
  store_set db{st.conninfo};
  db.schema.migrate();
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

} // namespace

int migrate(const config& cfg) {
  data_dir_lock lock{cfg.data_dir};
  auto st = open_store(cfg, false, lock);
  store_set db{st.conninfo};
  int applied = db.schema.migrate();
  std::cout << "applied " << applied << " migration(s); schema at version "
            << db.schema.readiness().schema_version << "\n";
  return 0;
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
  return with_database(r, [&](store_set& db) {
    auto p = db.users.insert_user(u, password_hash(u.password, r.cfg.pbkdf2_iterations), "cli");
    std::cout << "created user " << p.id << " (role " << p.role << (p.is_admin ? ", admin" : "")
              << ")\n";
  });
}

int user_passwd(config_result& r) {
  auto id = take(r, "id");
  if (id.empty())
    throw std::runtime_error("usage: foresightd user passwd --id ID (new password on stdin)");
  auto password = read_password_line();
  if (password.size() < 8)
    throw std::runtime_error("the new password (first line of stdin) needs at least 8 characters");
  return with_database(r, [&](store_set& db) {
    if (db.users.set_password(id, password_hash(password, r.cfg.pbkdf2_iterations), "cli") < 0)
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
  return with_database(r, [&](store_set& db) {
    user_profile p;
    if (!db.users.find_user(user, p))
      throw std::runtime_error("no user '" + user + "'");
    std::cout << mint_token(user, static_cast<std::int64_t>(std::time(nullptr)), ttl,
                            load_jwt_secret(r.cfg))
              << "\n";
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
  return with_database(r, [&](store_set& db) {
    // The same bookkeeping as the learner shards, run to the end of the history here.
    db.patterns.reset_patterns(static_cast<int>(days));
    std::vector<pattern_book> books;
    for (int shard = 0; shard < pattern_shards; ++shard)
      books.emplace_back(db.patterns.load_pattern_shard(shard));
    for (auto& c : db.catalogs.list_catalogs().items)
      for (auto& b : books)
        b.set_catalog(c);
    constexpr int page = 5000;
    auto after = books.front().watermark();
    std::size_t replayed = 0;
    for (;;) {
      auto batch = db.activities.replay_activities(after, page);
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
      db.patterns.save_pattern_shard(b.take_changes());
    }
    std::cout << "replayed " << replayed << " activities into " << patterns << " patterns\n";
  });
}

/// `foresightd import FILE`: the route's parser, validator and keys, inserting straight into the
/// database (one statement, so one transaction, per chunk).
int import_file(config_result& r) {
  if (r.positional.size() != 2)
    throw std::runtime_error("usage: foresightd import FILE [options] (- reads stdin)");
  auto body = read_input(r.positional[1]);
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    throw std::runtime_error(r.positional[1] + " is empty; one JSON activity per line expected");
  return with_database(r, [&](store_set& db) {
    import_report report;
    auto lines = parse_import(body, r.cfg.max_query_text_bytes, report);
    std::string().swap(body);
    import_run run{std::move(lines), std::move(report)};
    run.resolve_users([&](const std::string& id, user_profile& out) { return db.users.find_user(id, out); });
    auto chunk_rows = static_cast<std::size_t>(std::max(1, r.cfg.writer_batch_max));
    std::int64_t unanalysed = 0;
    auto store = [&](const activity_batch& chunk) {
      auto items = db.activities.insert_activities(chunk).items;
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
        db.db.disconnect();
        try {
          store(chunk);
        } catch (const std::exception& again) {
          db.db.disconnect();
          run.failed(make_error(error_code::unavailable, database_error_summary(again.what())));
        }
      }
      // Fresh planner statistics, as the server's importer keeps them (analyze_activities).
      if (unanalysed >= 20000) {
        db.activities.analyze_activities();
        unanalysed = 0;
      }
    }
    if (unanalysed >= 1000)
      db.activities.analyze_activities();
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

} // namespace foresight::cli
