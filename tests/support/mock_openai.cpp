// mock_openai: an asynchronous Beast server on one thread, so slow answers do not hold up other
// connections and the destructor can stop everything at once (ioc.stop() abandons pending waits).
// In TLS mode it makes its own self-signed certificate at start-up (tests/support/self_signed), so
// the tests need no key material on disk and no external tool.
#include "tests/support/mock_openai.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "core/json_writer.hpp"
#include "tests/support/self_signed.hpp"

namespace foresight::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr const char* completions_target = "/v1/chat/completions";

std::string completion_json(const std::string& content, std::size_t request_bytes) {
  auto prompt_tokens = static_cast<std::int64_t>(request_bytes / 4);
  auto completion_tokens = static_cast<std::int64_t>(content.size() / 4);
  json_writer w;
  w.begin_object()
      .key("id").value("chatcmpl-mock")
      .key("object").value("chat.completion")
      .key("model").value("gpt-4o-mini")
      .key("choices").begin_array()
      .begin_object()
      .key("index").value(0)
      .key("message").begin_object().key("role").value("assistant").key("content").value(content).end_object()
      .key("finish_reason").value("stop")
      .end_object()
      .end_array()
      .key("usage").begin_object()
      .key("prompt_tokens").value(prompt_tokens)
      .key("completion_tokens").value(completion_tokens)
      .key("total_tokens").value(prompt_tokens + completion_tokens)
      .end_object()
      .end_object();
  return w.take();
}

std::string error_json(const char* message, const char* type) {
  json_writer w;
  w.begin_object().key("error").begin_object().key("message").value(message).key("type").value(type)
      .end_object().end_object();
  return w.take();
}

} // namespace

struct mock_openai::impl {
  template <class Stream>
  struct session;

  explicit impl(std::optional<mock_tls> tls) {
    if (tls) {
      auto made = make_self_signed(tls->cert_host);
      tls_ctx.emplace(ssl::context::tls_server);
      tls_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      tls_ctx->use_certificate_chain(net::buffer(made.cert_pem));
      tls_ctx->use_private_key(net::buffer(made.key_pem), ssl::context::pem);
      ca_file.emplace(made.cert_pem, "mock_openai_ca");
      cert_host = tls->cert_host;
    }
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    accept();
    thread = std::thread([this] { ioc.run(); });
  }

  ~impl() {
    ioc.stop();
    thread.join();
  }

  void accept();

  /// Records a completions request and picks its behaviour.
  mock_behavior take_behavior(const http::request<http::string_body>& req) {
    std::lock_guard lock(mutex);
    ++requests;
    last_body = req.body();
    auto auth = req.find(http::field::authorization);
    last_authorization = auth == req.end() ? std::string{} : std::string(auth->value());
    if (queued.empty())
      return fallback;
    auto b = std::move(queued.front());
    queued.pop_front();
    return b;
  }

  // TLS mode only. Declared before ioc so they outlive it: the sessions that the io_context's
  // destructor frees still hold SSL objects made from tls_ctx.
  std::optional<ssl::context> tls_ctx;
  std::optional<temp_file> ca_file;
  std::string cert_host; // empty: plain HTTP

  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  int port = 0;
  std::thread thread;

  mutable std::mutex mutex; // guards everything below: tests read it from their own thread
  mock_behavior fallback{mock_behavior::ok, R"({"suggestions":[]})"};
  std::deque<mock_behavior> queued;
  int requests = 0;
  std::string last_body;
  std::string last_authorization;
};

/// One connection: (TLS handshake,) read a request, maybe wait, answer; again while the client
/// keeps it alive. Stream is tcp::socket or beast::ssl_stream<tcp::socket>.
template <class Stream>
struct mock_openai::impl::session : std::enable_shared_from_this<session<Stream>> {
  session(Stream stream, impl& server)
    : stream(std::move(stream)), server(server), delay(server.ioc) {}

  /// TLS only. A client that rejects the certificate aborts here, so no request is counted.
  void handshake() {
    stream.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
      if (ec)
        return self->close();
      self->read();
    });
  }

  void read() {
    request = {};
    http::async_read(stream, buffer, request, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) // closed by the client, or not HTTP at all (e.g. a TLS ClientHello in plain mode)
        return self->close();
      self->respond();
    });
  }

  void respond() {
    response = {};
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    response.set(http::field::content_type, "application/json");
    if (request.method() != http::verb::post || request.target() != completions_target) {
      response.result(http::status::not_found);
      response.body() = error_json("no such route", "invalid_request_error");
      return write_after(0);
    }
    auto b = server.take_behavior(request);
    switch (b.kind) {
      case mock_behavior::ok:
      case mock_behavior::slow:
        response.result(http::status::ok);
        response.body() = completion_json(b.content, request.body().size());
        break;
      case mock_behavior::rate_limited:
        response.result(http::status::too_many_requests);
        response.set(http::field::retry_after, std::to_string(b.retry_after_s));
        response.body() = error_json("Rate limit reached", "requests");
        break;
      case mock_behavior::server_error:
        response.result(http::status::internal_server_error);
        response.body() = error_json("The server had an error", "server_error");
        break;
      case mock_behavior::not_json:
        response.result(http::status::ok);
        response.set(http::field::content_type, "text/html");
        response.body() = "<html>oops</html>";
        break;
      case mock_behavior::dropped:
        return close();
      case mock_behavior::truncated:
        raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
              completion_json(b.content, request.body().size()).substr(0, 40);
        return write_raw(false);
      case mock_behavior::endless:
        raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              "Transfer-Encoding: chunked\r\n\r\n";
        return write_raw(true);
    }
    write_after(b.delay_ms);
  }

  /// Writes `raw`; then closes, or (endless) goes on with a chunk of blanks every 10 ms until the
  /// client gives up.
  void write_raw(bool endless) {
    net::async_write(stream, net::buffer(raw), [self = this->shared_from_this(), endless](
                                                  error_code ec, std::size_t) {
      if (ec || !endless)
        return self->close();
      self->raw = "400\r\n" + std::string(0x400, ' ') + "\r\n";
      self->delay.expires_after(std::chrono::milliseconds(10));
      self->delay.async_wait([self](error_code ec) {
        if (ec)
          return self->close();
        self->write_raw(true);
      });
    });
  }

  void write_after(int delay_ms) {
    response.prepare_payload();
    delay.expires_after(std::chrono::milliseconds(delay_ms));
    delay.async_wait([self = this->shared_from_this()](error_code ec) {
      if (ec)
        return;
      http::async_write(self->stream, self->response, [self](error_code ec, std::size_t) {
        if (ec || !self->response.keep_alive())
          return self->close();
        self->read();
      });
    });
  }

  /// Closes the TCP connection without a TLS close_notify: every answer carries a
  /// Content-Length, so the client never needs the TLS end-of-stream to know it has it all.
  void close() {
    auto& socket = beast::get_lowest_layer(stream);
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  Stream stream;
  impl& server;
  net::steady_timer delay;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
  std::string raw; ///< bytes no well-behaved server would send (write_raw)
};

void mock_openai::impl::accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec)
      return;
    if (tls_ctx) {
      using tls_stream = beast::ssl_stream<tcp::socket>;
      std::make_shared<session<tls_stream>>(tls_stream(std::move(socket), *tls_ctx), *this)->handshake();
    } else {
      std::make_shared<session<tcp::socket>>(std::move(socket), *this)->read();
    }
    accept();
  });
}

mock_openai::mock_openai() : impl_(std::make_unique<impl>(std::nullopt)) {}

mock_openai::mock_openai(mock_tls tls) : impl_(std::make_unique<impl>(std::move(tls))) {}

mock_openai::~mock_openai() = default;

int mock_openai::port() const { return impl_->port; }

std::string mock_openai::base_url() const {
  auto port = std::to_string(impl_->port);
  if (impl_->cert_host.empty())
    return "http://127.0.0.1:" + port + "/v1";
  const auto& host = impl_->cert_host;
  bool ipv6 = host.find(':') != std::string::npos; // a URL wants an IPv6 literal in brackets
  return "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port + "/v1";
}

std::string mock_openai::ca_pem_path() const {
  return impl_->ca_file ? impl_->ca_file->path() : std::string{};
}

void mock_openai::respond_with(mock_behavior b) {
  std::lock_guard lock(impl_->mutex);
  impl_->fallback = std::move(b);
}

void mock_openai::then(mock_behavior b) {
  std::lock_guard lock(impl_->mutex);
  impl_->queued.push_back(std::move(b));
}

int mock_openai::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::string mock_openai::last_body() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_body;
}

std::string mock_openai::last_authorization() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_authorization;
}

} // namespace foresight::testing
