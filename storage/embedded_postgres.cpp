// embedded_postgres: initdb / pg_ctl through fork+exec, dropping privileges in the child.
#include "storage/embedded_postgres.hpp"

#include "core/password_hash.hpp"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <grp.h>
#include <pqxx/pqxx>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace foresight {

namespace fs = std::filesystem;

namespace {

constexpr const char* superuser = "foresight";
constexpr const char* database = "foresight";
// The only way in: a local socket, and the superuser's password.
constexpr const char* hba_conf =
  "# foresightd: rewritten on every start\nlocal all all scram-sha-256\n";
// The password file's line: any host, port and database, our superuser.
constexpr const char* passfile_prefix = "*:*:*:foresight:";

std::string quote_conn_value(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\')
      out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

std::string find_bin_dir() {
  if (auto* env = std::getenv("FORESIGHT_PG_BIN"); env && *env)
    return env;
  for (const char* dir : {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin",
                          "/usr/lib/postgresql/17/bin"})
    if (fs::exists(fs::path(dir) / "pg_ctl"))
      return dir;
  throw std::runtime_error(
    "PostgreSQL server binaries not found (install postgresql-15 or set FORESIGHT_PG_BIN)");
}

std::string tail_of(const std::string& file, std::size_t bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  auto s = ss.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

std::string read_first_line(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

/// Creates `file` with `text`, readable by its owner only, or throws.
void write_private_file(const std::string& file, const std::string& text) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0)
    ::close(fd);
  if (!ok)
    throw std::runtime_error("cannot write " + file);
}

} // namespace

std::string embedded_postgres::connection_string(const std::string& dbname) const {
  return "host=" + quote_conn_value(socket_dir_) + " port=5432 user=" + superuser +
         " dbname=" + quote_conn_value(dbname) + " passfile=" + quote_conn_value(password_file_);
}

embedded_postgres::embedded_postgres(std::string data_dir, int wal_reserve_mb)
  : wal_reserve_mb_(wal_reserve_mb) {
  data_dir_ = fs::absolute(data_dir).lexically_normal().string();
  if (!data_dir_.empty() && data_dir_.back() == '/')
    data_dir_.pop_back();
  cluster_dir_ = data_dir_ + "/postgres";
  socket_dir_ = data_dir_ + "/run";
  log_file_ = data_dir_ + "/postgres.log";
  password_file_ = data_dir_ + "/postgres_password";
}

embedded_postgres::~embedded_postgres() {
  try {
    stop();
  } catch (...) {
    // nop: a destructor must not throw; stop() already tried its best
  }
}

std::string embedded_postgres::bin(const std::string& tool) const {
  return bin_dir_ + "/" + tool;
}

int embedded_postgres::run(const std::vector<std::string>& argv, bool as_owner) const {
  // Everything the child needs is prepared first: after fork only async-signal-safe calls.
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0)
      dup2(devnull, 0);
    if (as_owner && owner_uid_ >= 0) {
      // PostgreSQL refuses to run as root: become the cluster's owner for good.
      if (setgroups(0, nullptr) != 0 || setgid(owner_gid_) != 0 || setuid(owner_uid_) != 0)
        _exit(126);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    // nop: retry
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void embedded_postgres::choose_socket_dir() {
  auto owner = owner_uid_ >= 0 ? static_cast<uid_t>(owner_uid_) : geteuid();
  auto make_private = [&](const std::string& dir) {
    if (owner_uid_ >= 0 && chown(dir.c_str(), owner_uid_, owner_gid_) != 0)
      throw std::runtime_error("cannot chown " + dir);
    if (chmod(dir.c_str(), 0700) != 0)
      throw std::runtime_error("cannot chmod " + dir);
  };
  // The unix socket path must fit in sockaddr_un (107 bytes); long data dirs use /tmp instead.
  auto preferred = data_dir_ + "/run";
  if (preferred.size() + sizeof("/.s.PGSQL.5432") <= 100) {
    socket_dir_ = preferred;
    fs::create_directories(socket_dir_);
    return make_private(socket_dir_);
  }
  // A fresh unguessable directory, named in the data directory so that a subcommand finds a
  // running server's socket. Reused only if it is still ours: a real directory, private.
  auto record = data_dir_ + "/socket_dir";
  auto known = read_first_line(record);
  struct stat st {};
  if (known.rfind("/tmp/foresight-pg-", 0) == 0 && lstat(known.c_str(), &st) == 0 &&
      S_ISDIR(st.st_mode) && st.st_uid == owner && (st.st_mode & 077) == 0) {
    socket_dir_ = known;
    return;
  }
  char tmpl[] = "/tmp/foresight-pg-XXXXXX";
  if (!mkdtemp(tmpl))
    throw std::runtime_error("cannot create a socket directory under /tmp");
  socket_dir_ = tmpl;
  make_private(socket_dir_);
  write_private_file(record, socket_dir_ + "\n");
}

std::string embedded_postgres::load_or_create_password() {
  auto line = read_first_line(password_file_);
  if (line.rfind(passfile_prefix, 0) == 0 && line.size() > std::strlen(passfile_prefix)) {
    // libpq ignores a password file others can read; keep it private even if someone widened it.
    chmod(password_file_.c_str(), 0600);
    return line.substr(std::strlen(passfile_prefix));
  }
  auto password = hex_encode(random_bytes(24));
  write_private_file(password_file_, passfile_prefix + password + "\n");
  return password;
}

std::string embedded_postgres::start(bool reuse_running) {
  bin_dir_ = find_bin_dir();
  fs::create_directories(data_dir_);
  if (geteuid() == 0) {
    const char* candidates[] = {"postgres", "nobody"};
    for (auto* name : candidates) {
      if (auto* pw = getpwnam(name)) {
        owner_uid_ = static_cast<int>(pw->pw_uid);
        owner_gid_ = static_cast<int>(pw->pw_gid);
        break;
      }
    }
    if (owner_uid_ < 0)
      throw std::runtime_error("running as root and no unprivileged user (postgres, nobody) "
                               "exists to own the embedded PostgreSQL cluster");
    // The owner must be able to reach its directories (mkdtemp-made parents are 0700).
    chmod(data_dir_.c_str(), 0711);
    fs::create_directories(cluster_dir_);
    if (chown(cluster_dir_.c_str(), owner_uid_, owner_gid_) != 0)
      throw std::runtime_error("cannot chown " + cluster_dir_);
    if (int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644); fd >= 0) {
      if (fchown(fd, owner_uid_, owner_gid_) != 0) {
        // nop: only the server's own messages would be missing from the log
      }
      close(fd);
    }
  }
  choose_socket_dir();
  auto password = load_or_create_password();
  // A directory without PG_VERSION is a half-finished initdb: start over.
  if (fs::exists(cluster_dir_) && !fs::exists(cluster_dir_ + "/PG_VERSION")) {
    for (auto& entry : fs::directory_iterator(cluster_dir_))
      fs::remove_all(entry.path());
  }
  auto give_to_owner = [&](const std::string& file) {
    if (owner_uid_ >= 0 && chown(file.c_str(), owner_uid_, owner_gid_) != 0)
      throw std::runtime_error("cannot chown " + file);
  };
  bool created = false;
  if (!fs::exists(cluster_dir_ + "/PG_VERSION")) {
    created = true;
    fs::create_directories(cluster_dir_);
    give_to_owner(cluster_dir_);
    chmod(cluster_dir_.c_str(), 0700);
    // initdb reads the superuser's password from a file its user (the owner) can read: one in
    // the private socket directory, gone right after.
    auto pwfile = socket_dir_ + "/initdb-password";
    write_private_file(pwfile, password + "\n");
    give_to_owner(pwfile);
    int status = run({bin("initdb"), "-D", cluster_dir_, "-U", superuser, "--auth=scram-sha-256",
                      "--pwfile=" + pwfile, "-E", "UTF8", "--locale=C"},
                     true);
    fs::remove(pwfile);
    if (status != 0)
      throw std::runtime_error("initdb failed; see " + log_file_ + ":\n" +
                               tail_of(log_file_, 2000));
    std::ofstream conf(cluster_dir_ + "/postgresql.conf", std::ios::app);
    conf << "\n# foresightd: settings rewritten on every start\ninclude_if_exists = "
            "'foresight.conf'\n";
  }
  {
    // Rewritten each start, so a moved data directory or changed socket path still works.
    std::ofstream conf(cluster_dir_ + "/foresight.conf", std::ios::trunc);
    conf << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << socket_dir_ << "'\n"
         << "unix_socket_permissions = 0700\n"
         << "password_encryption = 'scram-sha-256'\n"
         << "port = 5432\n"
         << "timezone = 'UTC'\n"
         << "max_connections = 200\n"
         // The default 128MB is sized for a toy; 1M activities and their indexes want more.
         << "shared_buffers = 512MB\n";
    if (wal_reserve_mb_ > 0)
      conf << "min_wal_size = " << std::max(wal_reserve_mb_, 32) << "MB\n"
           << "max_wal_size = " << std::max(wal_reserve_mb_, 1024) << "MB\n";
  }
  give_to_owner(cluster_dir_ + "/foresight.conf");
  // A cluster made before passwords (trust authentication) keeps its pg_hba.conf until the
  // superuser has the password; then it gets ours.
  auto hba_file = cluster_dir_ + "/pg_hba.conf";
  std::string hba;
  {
    std::ifstream in(hba_file);
    std::ostringstream ss;
    ss << in.rdbuf();
    hba = ss.str();
  }
  bool upgrade = hba != hba_conf;
  // A cluster still running from a killed foresightd: stop it, so ours starts with our settings.
  // pg_ctl status: 0 running, 3 not running (a stale postmaster.pid is ignored by the server).
  bool up = run({bin("pg_ctl"), "-D", cluster_dir_, "status"}, true) == 0;
  if (up && reuse_running)
    return connection_string(database);
  if (up)
    run({bin("pg_ctl"), "-D", cluster_dir_, "-m", "fast", "-w", "-t", "60", "stop"}, true);
  if (run({bin("pg_ctl"), "-D", cluster_dir_, "-l", log_file_, "-w", "-t", "60", "start"}, true) !=
      0)
    throw std::runtime_error("PostgreSQL did not start; see " + log_file_ + ":\n" +
                             tail_of(log_file_, 2000));
  running_ = true;
  {
    pqxx::connection admin{connection_string("postgres")};
    pqxx::nontransaction tx{admin};
    if (upgrade) {
      tx.exec(std::string("ALTER ROLE ") + superuser + " PASSWORD " + tx.quote(password));
      std::ofstream(hba_file, std::ios::trunc) << hba_conf;
      give_to_owner(hba_file);
      chmod(hba_file.c_str(), 0600);
      tx.exec("SELECT pg_reload_conf()");
    }
    if (tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database).empty())
      tx.exec(std::string("CREATE DATABASE ") + database);
    if (created && wal_reserve_mb_ > 0) {
      // Each switch makes the next file (pg_switch_wal starts one only after a new record);
      // the checkpoint then renames the files behind it into future ones, and later checkpoints
      // keep min_wal_size of them.
      for (int i = 0; i < wal_reserve_mb_ / 16; ++i) {
        tx.exec("SELECT pg_logical_emit_message(false, 'foresight', 'wal reserve')");
        tx.exec("SELECT pg_switch_wal()");
      }
      tx.exec("CHECKPOINT");
    }
  }
  return connection_string(database);
}

void embedded_postgres::stop(shutdown mode) {
  if (!running_)
    return;
  running_ = false;
  run({bin("pg_ctl"), "-D", cluster_dir_, "-m", mode == shutdown::fast ? "fast" : "immediate",
       "-w", "-t", "60", "stop"},
      true);
}

} // namespace foresight
