// What a command finds in the data directory: its lock, the store (embedded or external) and
// the JWT secret.
#pragma once
#include <memory>
#include <string>

#include "core/config.hpp"
#include "storage/embedded_postgres.hpp"

namespace foresight::cli {

/// The data directory's exclusive lock: held by `serve` for its whole life.
class data_dir_lock {
public:
  explicit data_dir_lock(const std::string& dir);
  ~data_dir_lock();
  data_dir_lock(const data_dir_lock&) = delete;
  data_dir_lock& operator=(const data_dir_lock&) = delete;
  bool try_lock();

private:
  int fd_ = -1;
};

/// The store, embedded or external, for the lifetime of one command.
struct store {
  std::unique_ptr<embedded_postgres> cluster;
  std::string conninfo;
};

/// `serving` insists on the lock; a subcommand beside a running server shares its cluster.
store open_store(const config& cfg, bool serving, data_dir_lock& lock);

/// FORESIGHT_JWT_SECRET / --jwt-secret, else a secret generated once into the data directory.
std::string load_jwt_secret(const config& cfg);

} // namespace foresight::cli
