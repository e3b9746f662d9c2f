#include "tests/integration/pg_proxy.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "tests/integration/server_process.hpp"

namespace foresight::testing {

namespace {

int unix_socket(const std::string& path, bool listen_on) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  auto* a = reinterpret_cast<sockaddr*>(&addr);
  bool ok = listen_on ? ::bind(fd, a, sizeof addr) == 0 && ::listen(fd, 64) == 0
                      : ::connect(fd, a, sizeof addr) == 0;
  if (!ok) {
    ::close(fd);
    throw std::runtime_error("pg proxy: cannot use " + path);
  }
  return fd;
}

bool send_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    auto w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0)
      return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

} // namespace

struct pg_cutting_proxy::impl {
  std::string target, dir;
  int listener = -1;
  std::atomic<bool> stopping{false};
  std::mutex mtx;
  std::string marker; ///< armed when non-empty
  std::atomic<int> cuts{0};
  std::atomic<bool> stalled{false};
  std::thread acceptor;
  std::mutex relays_mtx;
  std::vector<std::thread> relays;

  /// Relays one connection; the client's messages are parsed (startup, then type + length) to
  /// find the statement carrying the marker and the commit after it.
  void relay(int client) {
    int server = -1;
    try {
      server = unix_socket(target + "/.s.PGSQL.5432", false);
    } catch (...) {
      ::close(client);
      return;
    }
    std::string pending; // client bytes not yet forwarded as whole messages
    bool started = false, marked = false, executed = false, in_block = false;
    char buf[65536];
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    while (!stopping) {
      if (stalled) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      if (::poll(fds, 2, 100) <= 0)
        continue;
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        auto n = ::recv(server, buf, sizeof buf, 0);
        if (n <= 0 || !send_all(client, buf, static_cast<std::size_t>(n)))
          break;
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        auto n = ::recv(client, buf, sizeof buf, 0);
        if (n <= 0)
          break;
        pending.append(buf, static_cast<std::size_t>(n));
        bool cut = false;
        for (;;) {
          std::size_t head = started ? 5 : 4;
          if (pending.size() < head)
            break;
          std::uint32_t len = 0;
          std::memcpy(&len, pending.data() + (started ? 1 : 0), 4);
          std::size_t whole = (started ? 1 : 0) + ntohl(len);
          if (pending.size() < whole)
            break;
          auto message = pending.substr(0, whole);
          pending.erase(0, whole);
          started = true;
          {
            std::lock_guard<std::mutex> g{mtx};
            if (!marker.empty() && message.find(marker) != std::string::npos)
              marked = true;
            bool query = message[0] == 'Q';
            if (query && message.find("BEGIN") != std::string::npos)
              in_block = true;
            bool commit = query && message.find("COMMIT") != std::string::npos;
            bool block_ends = commit || (query && message.find("ROLLBACK") != std::string::npos);
            executed = executed || (marked && message[0] == 'E');
            // A COMMIT, or the Sync after an Execute outside a transaction block (its implicit
            // transaction commits then).
            bool commits = commit || (message[0] == 'S' && executed && !in_block);
            if (marked && commits) {
              marker.clear();
              cut = true;
            }
            if (block_ends)
              in_block = false;
          }
          if (!send_all(server, message.data(), message.size()))
            break;
          if (cut)
            break;
        }
        if (cut) {
          ++cuts;
          break;
        }
      }
    }
    ::close(server);
    ::close(client);
  }
};

pg_cutting_proxy::pg_cutting_proxy(const std::string& server_socket_dir)
  : impl_(std::make_unique<impl>()) {
  impl_->target = server_socket_dir;
  char tmpl[] = "/tmp/fs-proxy-XXXXXX";
  impl_->dir = ::mkdtemp(tmpl);
  impl_->listener = unix_socket(impl_->dir + "/.s.PGSQL.5432", true);
  impl_->acceptor = std::thread([this] {
    pollfd p{impl_->listener, POLLIN, 0};
    while (!impl_->stopping) {
      if (::poll(&p, 1, 100) <= 0)
        continue;
      int client = ::accept(impl_->listener, nullptr, nullptr);
      std::lock_guard<std::mutex> g{impl_->relays_mtx};
      if (client >= 0)
        impl_->relays.emplace_back([this, client] { impl_->relay(client); });
    }
  });
}

pg_cutting_proxy::~pg_cutting_proxy() {
  impl_->stopping = true;
  impl_->acceptor.join(); // no relay is added after this
  for (auto& t : impl_->relays)
    t.join();
  ::close(impl_->listener);
  std::error_code ec;
  std::filesystem::remove_all(impl_->dir, ec);
}

const std::string& pg_cutting_proxy::socket_dir() const {
  return impl_->dir;
}

void pg_cutting_proxy::cut_commit_after(std::string marker) {
  std::lock_guard<std::mutex> g{impl_->mtx};
  impl_->marker = std::move(marker);
}

void pg_cutting_proxy::stall(bool on) {
  impl_->stalled = on;
}

int pg_cutting_proxy::cuts() const {
  return impl_->cuts.load();
}

std::string via_socket_dir(const std::string& conninfo, const std::string& socket_dir) {
  return conninfo + " host='" + socket_dir + "'";
}

std::string test_cluster_socket_dir() {
  auto info = admin_conninfo();
  auto at = info.find("host=");
  if (at == std::string::npos)
    return {};
  at += 5;
  auto host = info[at] == '\'' ? info.substr(at + 1, info.find('\'', at + 1) - at - 1)
                               : info.substr(at, info.find(' ', at) - at);
  return host.empty() || host[0] != '/' ? std::string{} : host;
}

} // namespace foresight::testing
