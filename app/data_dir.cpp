#include "app/data_dir.hpp"

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/jwt.hpp"
#include "core/password_hash.hpp"

namespace fs = std::filesystem;

namespace foresight::cli {

data_dir_lock::data_dir_lock(const std::string& dir) {
  fs::create_directories(dir);
  // CLOEXEC: the PostgreSQL server we fork must not inherit (and so keep holding) the lock.
  fd_ = ::open((dir + "/foresightd.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
}

data_dir_lock::~data_dir_lock() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool data_dir_lock::try_lock() { return fd_ >= 0 && flock(fd_, LOCK_EX | LOCK_NB) == 0; }

store open_store(const config& cfg, bool serving, data_dir_lock& lock) {
  store s;
  if (!cfg.database_url.empty()) {
    s.conninfo = cfg.database_url;
    return s;
  }
  s.cluster = std::make_unique<embedded_postgres>(cfg.data_dir, cfg.wal_reserve_mb);
  bool owner = lock.try_lock();
  if (serving && !owner)
    throw std::runtime_error("another foresightd is serving " + cfg.data_dir);
  // A subcommand next to a running server shares its cluster instead of restarting it.
  s.conninfo = s.cluster->start(/*reuse_running=*/!owner);
  return s;
}

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

} // namespace foresight::cli
