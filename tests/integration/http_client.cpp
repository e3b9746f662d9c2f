// http_client: connect, write, read to EOF, parse Content-Length framed responses.
#include "tests/integration/http_client.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/support/openapi_contract.hpp"

namespace foresight::testing {

int connect_local(std::uint16_t port, const std::string& source) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The port is still chosen at connect, as without a bind (which would hold one per socket).
  int one = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0)
      ::close(fd);
    throw std::runtime_error("cannot connect to port " + std::to_string(port) + " from " + source);
  }
  return fd;
}

std::string read_until_closed(int fd, int timeout_ms) {
  std::string out;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0)
      break;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string send_raw(std::uint16_t port, const std::string& raw, int timeout_ms,
                     const std::string& source) {
  int fd = connect_local(port, source);
  std::size_t sent = 0;
  while (sent < raw.size()) {
    auto n = ::send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break; // the server may close early (e.g. after a 413); read what it said
    sent += static_cast<std::size_t>(n);
  }
  auto out = read_until_closed(fd, timeout_ms);
  ::close(fd);
  return out;
}

std::vector<http_reply> parse_replies(const std::string& bytes) {
  std::vector<http_reply> out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    auto head_end = bytes.find("\r\n\r\n", pos);
    if (head_end == std::string::npos)
      break;
    http_reply r;
    auto head = bytes.substr(pos, head_end - pos);
    auto line_end = head.find("\r\n");
    auto status_line = head.substr(0, line_end);
    if (status_line.size() < 12)
      break;
    r.status = std::stoi(status_line.substr(9, 3));
    std::size_t p = line_end == std::string::npos ? head.size() : line_end + 2;
    while (p < head.size()) {
      auto e = head.find("\r\n", p);
      if (e == std::string::npos)
        e = head.size();
      auto line = head.substr(p, e - p);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto name = line.substr(0, colon);
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
          value.erase(0, 1);
        r.headers[name] = value;
      }
      p = e + 2;
    }
    std::size_t len = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    r.body = bytes.substr(head_end + 4, len);
    pos = head_end + 4 + len;
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// Boost.Test may be called from the main thread only: other threads' findings wait for it.
const std::thread::id main_thread = std::this_thread::get_id();
std::mutex drift_mutex;
std::vector<std::string> off_thread_drift;

void report_drift(const std::string& problem) {
  BOOST_ERROR("the response differs from /openapi.json: " << problem);
}

/// Every reply is checked against the served OpenAPI document.
void check_contract(const std::string& method, const std::string& target, const http_reply& r) {
  bool on_main = std::this_thread::get_id() == main_thread;
  if (on_main) {
    std::lock_guard<std::mutex> lock(drift_mutex);
    for (auto& problem : off_thread_drift)
      report_drift(problem);
    off_thread_drift.clear();
  }
  auto problem = served_contract().check(method, target, r.status, r.header("content-type"), r.body);
  if (problem.empty())
    return;
  if (on_main) {
    report_drift(problem);
  } else {
    std::lock_guard<std::mutex> lock(drift_mutex);
    off_thread_drift.push_back(problem);
  }
}

/// Findings of other threads after the main thread's last request still fail the run.
struct drift_at_exit {
  ~drift_at_exit() {
    std::lock_guard<std::mutex> lock(drift_mutex);
    for (auto& problem : off_thread_drift)
      std::fprintf(stderr, "error: the response differs from /openapi.json: %s\n", problem.c_str());
    if (!off_thread_drift.empty())
      std::_Exit(1);
  }
};
BOOST_TEST_GLOBAL_FIXTURE(drift_at_exit);

} // namespace

http_reply request(std::uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body, const std::string& token,
                   const std::map<std::string, std::string>& headers) {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  bool has_type = false;
  for (auto& [k, v] : headers) {
    raw += k + ": " + v + "\r\n";
    has_type = has_type || k == "Content-Type";
  }
  if (!token.empty())
    raw += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty() && !has_type)
    raw += "Content-Type: application/json\r\n";
  if (!body.empty() || method == "POST" || method == "PUT")
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  raw += "\r\n" + body;
  auto replies = parse_replies(send_raw(port, raw, 15000));
  if (replies.empty())
    throw std::runtime_error("no reply to " + method + " " + target);
  check_contract(method, target, replies.front());
  return replies.front();
}

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.')
      out.push_back(static_cast<char>(c));
    else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

} // namespace foresight::testing
