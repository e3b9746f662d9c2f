// A deliberately simple blocking HTTP/1.1 client over a raw socket, so tests can also send bytes
// no well-behaved client would (malformed requests, pipelines, oversized heads).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace foresight::testing {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers; ///< lower-case names
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto i = headers.find(lower_name);
    return i == headers.end() ? std::string() : i->second;
  }
};

/// One request on a fresh connection (Connection: close).
http_reply request(std::uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body = {}, const std::string& token = {},
                   const std::map<std::string, std::string>& headers = {});

/// Sends `raw` as is and reads until the server closes (or `timeout_ms`); returns all bytes.
/// `source` is the client's address: any of 127/8 reaches a server on 127.0.0.1.
std::string send_raw(std::uint16_t port, const std::string& raw, int timeout_ms = 3000,
                     const std::string& source = "127.0.0.1");

/// A socket connected to 127.0.0.1:`port` from `source`; throws if it cannot connect.
int connect_local(std::uint16_t port, const std::string& source = "127.0.0.1");

/// Reads from `fd` until the peer closes or `timeout_ms` pass without data; returns the bytes.
std::string read_until_closed(int fd, int timeout_ms);

/// `s` percent-encoded for a query string or path segment (all but letters, digits, - _ .).
std::string url_encode(const std::string& s);

/// Parses every response in `bytes` (Content-Length framed).
std::vector<http_reply> parse_replies(const std::string& bytes);

} // namespace foresight::testing
