// The HTTP/1.1 front end: an acceptor and one session per connection on Asio IO threads.
// Reads are bounded (head, body, time); each request goes to api_handlers and the answer is
// posted back to the connection's IO thread, so an IO thread never waits for an actor.
#pragma once
#include <cstdint>
#include <memory>

#include "core/config.hpp"

namespace foresight {

class api_handlers;

/// Throws std::runtime_error naming the problem if --tls-cert / --tls-key are given but cannot
/// be used (one without the other, unreadable, or a key that does not match), so that `serve`
/// can say so before it starts anything.
void check_tls(const config& cfg);

/// Listener plus IO threads. start() binds; shutdown() drains and stops.
class http_server {
public:
  http_server(const config& cfg, api_handlers& handlers);
  ~http_server();

  /// Binds and starts the IO threads; returns the bound port. Throws if it cannot bind.
  std::uint16_t start();

  /// Stops accepting, lets in-flight requests finish (up to `grace_ms`), then stops the threads.
  void shutdown(int grace_ms);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace foresight
