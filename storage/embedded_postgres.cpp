// embedded_postgres: initdb / pg_ctl through fork+exec, dropping privileges in the child.
#include "storage/embedded_postgres.hpp"

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

} // namespace

std::string socket_connection_string(const std::string& socket_dir, const std::string& dbname) {
  return "host=" + quote_conn_value(socket_dir) + " port=5432 user=" + superuser +
         " dbname=" + quote_conn_value(dbname);
}

embedded_postgres::embedded_postgres(std::string data_dir) {
  data_dir_ = fs::absolute(data_dir).lexically_normal().string();
  if (!data_dir_.empty() && data_dir_.back() == '/')
    data_dir_.pop_back();
  cluster_dir_ = data_dir_ + "/postgres";
  socket_dir_ = data_dir_ + "/run";
  log_file_ = data_dir_ + "/postgres.log";
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

std::string embedded_postgres::start(bool reuse_running) {
  bin_dir_ = find_bin_dir();
  fs::create_directories(data_dir_);
  // The unix socket path must fit in sockaddr_un (107 bytes); long data dirs use /tmp instead.
  if (socket_dir_.size() + sizeof("/.s.PGSQL.5432") > 100)
    socket_dir_ = "/tmp/foresight-pg-" +
                  std::to_string(std::hash<std::string>{}(data_dir_) % 1000000007ULL);
  fs::create_directories(socket_dir_);
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
    for (auto& dir : {cluster_dir_, socket_dir_}) {
      fs::create_directories(dir);
      if (chown(dir.c_str(), owner_uid_, owner_gid_) != 0)
        throw std::runtime_error("cannot chown " + dir);
    }
    if (int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644); fd >= 0) {
      if (fchown(fd, owner_uid_, owner_gid_) != 0) {
        // nop: only the server's own messages would be missing from the log
      }
      close(fd);
    }
  }
  // A directory without PG_VERSION is a half-finished initdb: start over.
  if (fs::exists(cluster_dir_) && !fs::exists(cluster_dir_ + "/PG_VERSION")) {
    for (auto& entry : fs::directory_iterator(cluster_dir_))
      fs::remove_all(entry.path());
  }
  if (!fs::exists(cluster_dir_ + "/PG_VERSION")) {
    fs::create_directories(cluster_dir_);
    if (owner_uid_ >= 0 && chown(cluster_dir_.c_str(), owner_uid_, owner_gid_) != 0)
      throw std::runtime_error("cannot chown " + cluster_dir_);
    chmod(cluster_dir_.c_str(), 0700);
    if (run({bin("initdb"), "-D", cluster_dir_, "-U", superuser, "--auth=trust", "-E", "UTF8",
             "--locale=C"},
            true) != 0)
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
         << "port = 5432\n"
         << "timezone = 'UTC'\n"
         << "max_connections = 200\n"
         // The default 128MB is sized for a toy; 1M activities and their indexes want more.
         << "shared_buffers = 512MB\n";
  }
  if (owner_uid_ >= 0) {
    auto conf = cluster_dir_ + "/foresight.conf";
    if (chown(conf.c_str(), owner_uid_, owner_gid_) != 0)
      throw std::runtime_error("cannot chown " + conf);
  }
  // A cluster still running from a killed foresightd: stop it, so ours starts with our settings.
  // pg_ctl status: 0 running, 3 not running (a stale postmaster.pid is ignored by the server).
  bool up = fs::exists(cluster_dir_ + "/PG_VERSION") &&
            run({bin("pg_ctl"), "-D", cluster_dir_, "status"}, true) == 0;
  if (up && reuse_running)
    return socket_connection_string(socket_dir_, database);
  if (up)
    run({bin("pg_ctl"), "-D", cluster_dir_, "-m", "fast", "-w", "-t", "60", "stop"}, true);
  if (run({bin("pg_ctl"), "-D", cluster_dir_, "-l", log_file_, "-w", "-t", "60", "start"}, true) !=
      0)
    throw std::runtime_error("PostgreSQL did not start; see " + log_file_ + ":\n" +
                             tail_of(log_file_, 2000));
  running_ = true;
  {
    pqxx::connection admin{socket_connection_string(socket_dir_, "postgres")};
    pqxx::nontransaction tx{admin};
    if (tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database).empty())
      tx.exec(std::string("CREATE DATABASE ") + database);
  }
  return socket_connection_string(socket_dir_, database);
}

void embedded_postgres::stop() {
  if (!running_)
    return;
  running_ = false;
  run({bin("pg_ctl"), "-D", cluster_dir_, "-m", "fast", "-w", "-t", "60", "stop"}, true);
}

} // namespace foresight
