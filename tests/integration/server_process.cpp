// Fixtures: the run-wide cluster (embedded_postgres in a temp dir, or FORESIGHT_TEST_DATABASE_URL),
// per-test databases, and the child-process wrapper around foresightd.
#include "tests/integration/server_process.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "core/jwt.hpp"
#include "core/password_hash.hpp"
#include "storage/store_set.hpp"
#include "storage/embedded_postgres.hpp"

namespace foresight::testing {

namespace {

struct test_cluster {
  std::string dir;
  std::unique_ptr<embedded_postgres> pg;
  std::string base; // conninfo without dbname override
  test_cluster() {
    if (auto* url = std::getenv("FORESIGHT_TEST_DATABASE_URL"); url && *url) {
      base = url;
      return;
    }
    char tmpl[] = "/tmp/foresight-test-XXXXXX";
    dir = mkdtemp(tmpl);
    pg = std::make_unique<embedded_postgres>(dir);
    base = pg->start();
  }
  ~test_cluster() {
    pg.reset();
    if (!dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  }
};

test_cluster& cluster() {
  static test_cluster c; // started on first use, stopped at exit
  return c;
}

} // namespace

std::string database_password() {
  if (!cluster().pg)
    return {};
  std::ifstream in(cluster().pg->password_file());
  std::string line;
  std::getline(in, line);
  return line.substr(line.rfind(':') + 1);
}

bool stop_test_cluster(embedded_postgres::shutdown mode) {
  if (!cluster().pg)
    return false;
  cluster().pg->stop(mode);
  return true;
}

void start_test_cluster() {
  if (cluster().pg)
    cluster().pg->start();
}

std::string admin_conninfo() {
  return cluster().base + " dbname=postgres";
}

std::string fresh_database() {
  static std::atomic<int> counter{0};
  auto name = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  pqxx::connection c{admin_conninfo()};
  pqxx::nontransaction tx{c};
  tx.exec("DROP DATABASE IF EXISTS " + name);
  tx.exec("CREATE DATABASE " + name);
  return cluster().base + " dbname=" + name; // libpq: the later dbname wins
}

void add_user(const std::string& conninfo, const std::string& id, const std::string& role,
              bool admin, const std::string& password) {
  store_set db{conninfo};
  db.schema.migrate();
  new_user u{id, id, password, role, "Test", R"(["learn"])", admin, {}};
  db.users.insert_user(u, password_hash(password, 1000), "test");
}

std::string token_for(const std::string& user_id, int ttl) {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  return jwt_sign({user_id, now, now + ttl}, test_secret);
}

std::vector<std::string> serve_args(const std::string& conninfo, std::vector<std::string> extra) {
  std::vector<std::string> args = {"serve", "--port", "0", "--database-url", conninfo,
                                   "--jwt-secret", test_secret, "--pbkdf2-iterations", "1000",
                                   "--log-requests", "false"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

struct server_process::impl {
  pid_t pid = -1;
  int out_fd = -1;
  std::thread reader;
  mutable std::mutex mtx;
  std::condition_variable cv;
  std::string output;
  bool closed = false;
  bool held = false; ///< stop reading the child's output (its stdout pipe fills and blocks)
  int status = -1;
};

server_process::server_process(std::vector<std::string> args,
                               std::map<std::string, std::string> env, std::string input,
                               int open_files_limit)
  : impl_(std::make_unique<impl>()) {
  int fds[2], in_fds[2];
  if (pipe(fds) != 0 || pipe(in_fds) != 0)
    throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_s = {FORESIGHTD_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // The environment is built before fork: only async-signal-safe calls may follow it.
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (!env.count(kv.substr(0, kv.find('='))))
      env_s.push_back(kv);
  }
  for (auto& [k, v] : env)
    env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& kv : env_s)
    envp.push_back(const_cast<char*>(kv.c_str()));
  envp.push_back(nullptr);
  impl_->pid = fork();
  if (impl_->pid == 0) {
    dup2(in_fds[0], 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    for (int fd : {fds[0], fds[1], in_fds[0], in_fds[1]})
      close(fd);
    if (open_files_limit > 0) {
      rlimit nofile{static_cast<rlim_t>(open_files_limit), static_cast<rlim_t>(open_files_limit)};
      setrlimit(RLIMIT_NOFILE, &nofile);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  close(in_fds[0]);
  // Small inputs (a password line) fit in the pipe's buffer: no writer thread needed.
  if (!input.empty() && write(in_fds[1], input.data(), input.size()) < 0)
    throw std::runtime_error("cannot write the child's stdin");
  close(in_fds[1]);
  impl_->out_fd = fds[0];
  auto* state = impl_.get();
  impl_->reader = std::thread([state] {
    char buf[4096];
    for (;;) {
      {
        std::unique_lock<std::mutex> lock{state->mtx};
        state->cv.wait(lock, [state] { return !state->held; });
      }
      auto n = read(state->out_fd, buf, sizeof buf);
      std::lock_guard<std::mutex> guard{state->mtx};
      if (n <= 0) {
        state->closed = true;
        state->cv.notify_all();
        return;
      }
      state->output.append(buf, static_cast<std::size_t>(n));
      state->cv.notify_all();
    }
  });
  if (!args.empty() && args[0] == "serve") {
    std::unique_lock<std::mutex> lock{impl_->mtx};
    static const std::regex listening(R"re("msg":"listening".*"port":(\d+))re");
    std::smatch m;
    bool ok = impl_->cv.wait_for(lock, std::chrono::seconds(90), [&] {
      return std::regex_search(impl_->output, m, listening) || impl_->closed;
    });
    if (ok && !impl_->closed && !m.empty()) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
      return;
    }
    lock.unlock();
    stop(SIGKILL); // joins the reader, so the exception leaves nothing running behind
    throw std::runtime_error("foresightd did not start:\n" + output());
  }
}

int server_process::pid() const {
  return impl_->pid;
}

int server_process::wait() {
  if (impl_->pid > 0) {
    int st = 0;
    waitpid(impl_->pid, &st, 0);
    impl_->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    impl_->pid = -1;
  }
  hold_output(false);
  if (impl_->reader.joinable())
    impl_->reader.join();
  if (impl_->out_fd >= 0) {
    close(impl_->out_fd);
    impl_->out_fd = -1;
  }
  return impl_->status;
}

int server_process::stop(int sig) {
  if (impl_->pid > 0)
    kill(impl_->pid, sig);
  return wait();
}

void server_process::hold_output(bool hold) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  impl_->held = hold;
  impl_->cv.notify_all();
}

std::string server_process::output() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->output;
}

server_process::~server_process() {
  stop(SIGKILL);
}

std::vector<std::string> proc_stat_fields(const std::string& path) {
  std::ifstream in{path};
  std::string stat{std::istreambuf_iterator<char>(in), {}};
  auto close = stat.rfind(')');
  if (close == std::string::npos || stat.size() < close + 3)
    return {};
  std::istringstream fields{stat.substr(close + 2)};
  return {std::istream_iterator<std::string>(fields), {}};
}

} // namespace foresight::testing
