// http_server: Beast's async server shape (listener, session with do_x/on_x pairs), with limits
// and timeouts on every read and a request log line per answer. Each IO thread runs an io_context
// of its own and the listener deals connections out in turn, so a connection's handlers all run on
// one thread (no strand needed) and the threads never hand work to each other. The listener caps
// open connections (in total and per address) and pauses when the process runs out of
// descriptors; with a certificate every connection speaks TLS.
#include "http/server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/views.hpp"
#include "http/connection_limits.hpp"
#include "http/framing.hpp"
#include "http/handlers.hpp"

namespace foresight {

namespace beast = boost::beast; // <boost/beast/core.hpp>
namespace http = beast::http;   // <boost/beast/http.hpp>
namespace net = boost::asio;    // <boost/asio.hpp>
namespace ssl = net::ssl;       // <boost/asio/ssl.hpp>
using tcp = net::ip::tcp;

namespace {

class session;

/// A connection's read buffer: room for a typical request (head with a token, and a body) in
/// one read.
constexpr std::size_t read_buffer_bytes = 4096;

/// Shared by the listener and its sessions.
struct server_shared {
  config cfg;
  api_handlers& handlers;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  gauge& connections;
  connection_limits limits;
  /// Set when --tls-cert and --tls-key are given: every connection starts with a handshake.
  std::unique_ptr<ssl::context> tls;
  /// Every open connection, for the deadline sweep. A session removes itself in its destructor,
  /// under the lock, so the sweep never sees a destroyed one.
  std::mutex open_mtx;
  std::unordered_set<session*> open;
};

using steady = std::chrono::steady_clock;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now().time_since_epoch())
    .count();
}

bool valid_request_id(beast::string_view id) {
  if (id.empty() || id.size() > 64)
    return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

/// 16 hex digits for a request that brought no id of its own. Ids only correlate log lines, so a
/// per-thread generator will do; OpenSSL's was a measurable share of a cached answer's CPU.
std::string new_request_id() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  auto x = gen();
  std::string id(16, '0');
  for (auto& c : id) {
    c = digits[x & 15];
    x >>= 4;
  }
  return id;
}

/// The listener's TLS context, or null without a certificate. TLS 1.2 at least: older versions
/// have known weaknesses and every client we expect speaks 1.2.
std::unique_ptr<ssl::context> make_tls_context(const config& cfg) {
  if (cfg.tls_cert.empty() && cfg.tls_key.empty())
    return nullptr;
  if (cfg.tls_cert.empty() || cfg.tls_key.empty())
    throw std::runtime_error("--tls-cert and --tls-key must be given together");
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  if (ctx->use_certificate_chain_file(cfg.tls_cert, ec))
    throw std::runtime_error("--tls-cert " + cfg.tls_cert + ": " + ec.message());
  // OpenSSL also checks here that the key belongs to the certificate.
  if (ctx->use_private_key_file(cfg.tls_key, ssl::context::pem, ec))
    throw std::runtime_error("--tls-key " + cfg.tls_key + ": " + ec.message());
  return ctx;
}

/// What the per-address cap counts `a` by (connection_address_key).
std::string address_key(const net::ip::address& a) {
  auto v6 = a.is_v4() ? net::ip::make_address_v6(net::ip::v4_mapped, a.to_v4()) : a.to_v6();
  return connection_address_key(v6.to_bytes());
}

/// The whole answer to a connection over a cap, written before its request is read.
std::string refusal_bytes(const std::string& message) {
  // The status comes from the one error table (core/errors.cpp), like every error's.
  auto err = make_error(error_code::unavailable, message);
  http::response<http::string_body> res{static_cast<http::status>(http_status(err.code)), 11};
  res.set(http::field::server, "foresightd");
  res.set(http::field::content_type, "application/json");
  res.set(http::field::retry_after, "1");
  res.keep_alive(false);
  res.body() = error_json(err);
  res.prepare_payload();
  std::ostringstream out;
  out << res;
  return out.str();
}

// Deadlines: each connection keeps one (an atomic time), and one sweep closes the connections past
// theirs a few times per timeout. Beast's tcp_stream armed and cancelled a timer around every read
// and write instead, which cost allocations and reactor locking on every request.
class session : public std::enable_shared_from_this<session> {
public:
  /// `address` holds a slot of shared.limits, given back when the session goes.
  session(tcp::socket&& socket, server_shared& shared, std::string address)
    : socket_(std::move(socket)), shared_(shared), address_(std::move(address)) {
    // Beast reads at most the buffer's free capacity (at least 512 bytes), and a buffer no read
    // fills never grows: without this, a request of 600-1,500 bytes took two recv calls.
    buffer_.reserve(read_buffer_bytes);
    if (shared_.tls)
      tls_.emplace(socket_, *shared_.tls);
    shared_.connections.add(1);
    std::lock_guard<std::mutex> lock{shared_.open_mtx};
    shared_.open.insert(this);
  }
  ~session() {
    shared_.limits.release(address_);
    shared_.connections.add(-1);
    std::lock_guard<std::mutex> lock{shared_.open_mtx};
    shared_.open.erase(this);
  }

  void run() {
    // Start on the connection's own IO thread: every handler of this connection runs there.
    net::dispatch(socket_.get_executor(),
                  beast::bind_front_handler(tls_ ? &session::do_handshake : &session::do_read,
                                            shared_from_this()));
  }

  /// Called by the sweep with the registry locked: true when the deadline has passed.
  bool overdue(std::int64_t now_ns) const {
    auto d = deadline_ns_.load(std::memory_order_relaxed);
    return d != 0 && d <= now_ns;
  }

  /// Closes the connection from its IO thread; the pending read or write ends with an error.
  void expire() {
    net::post(socket_.get_executor(), [self = shared_from_this()] { self->do_close(); });
  }

private:
  /// Calls `f` with the stream the connection speaks: TLS over the socket, or the socket.
  template <class F>
  void with_stream(F&& f) {
    if (tls_)
      f(*tls_);
    else
      f(socket_);
  }

  void do_handshake() {
    // The handshake is part of receiving the first request: the same deadline.
    expires_after(shared_.cfg.read_timeout_ms);
    tls_->async_handshake(ssl::stream_base::server,
                          beast::bind_front_handler(&session::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    // A failed handshake has no HTTP to answer in.
    if (ec)
      return do_close();
    do_read();
  }

  void do_read() {
    // A fresh parser per request: its limits and state must not leak into the next one.
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.cfg.max_header_bytes));
    // Beast refuses a Content-Length above the limit while it parses the head, before the route
    // is known; so the head is read with the largest limit of any route, and on_header sets the
    // request's own.
    parser_->body_limit(std::max(shared_.cfg.max_body_bytes, shared_.cfg.max_import_bytes));
    expires_after(shared_.cfg.idle_timeout_ms);
    with_stream([this](auto& stream) {
      http::async_read_header(stream, buffer_, *parser_,
                              beast::bind_front_handler(&session::on_header, shared_from_this()));
    });
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec)
      return on_read(ec, 0);
    started_ = std::chrono::steady_clock::now();
    if (auto err = check_framing())
      return refuse(err);
    // The head is read, the body not yet, so the limit can still change.
    auto limit = limit_for_head();
    parser_->body_limit(limit);
    if (auto length = parser_->content_length(); length && *length > limit)
      return on_read(http::error::body_limit, 0);
    expires_after(shared_.cfg.read_timeout_ms);
    with_stream([this](auto& stream) {
      http::async_read(stream, buffer_, *parser_,
                       beast::bind_front_handler(&session::on_read, shared_from_this()));
    });
  }

  /// Beast reads a body only for chunked or Content-Length, and takes any other head as one
  /// without a body: refuse what another parser may frame differently (http/framing), so that a
  /// body is never read as the next request. Also notes whether the connection may carry one.
  api_error check_framing() {
    auto& head = parser_->get();
    std::vector<std::string_view> codings;
    std::size_t lengths = 0;
    for (auto& f : head) {
      if (f.name() == http::field::transfer_encoding)
        codings.emplace_back(f.value().data(), f.value().size());
      else if (f.name() == http::field::content_length)
        ++lengths;
      else if (f.name() == http::field::unknown &&
               is_framing_lookalike({f.name_string().data(), f.name_string().size()}))
        return make_error(error_code::bad_request,
                          "malformed HTTP request: a header name mimics a framing header");
    }
    if (auto problem = framing_problem(codings, lengths > 0); !problem.empty())
      return make_error(error_code::bad_request, "malformed HTTP request: " + problem);
    auto method = head.method_string();
    close_after_answer_ =
      framing_needs_close({method.data(), method.size()}, !codings.empty(), lengths);
    return {};
  }

  /// Imports are bigger than other bodies: their route, and only it, gets --max-import-bytes.
  std::size_t limit_for_head() const {
    auto& head = parser_->get();
    if (head.method() == http::verb::post &&
        head.target().substr(0, head.target().find('?')) == "/api/v1/activity/import")
      return shared_.cfg.max_import_bytes;
    return shared_.cfg.max_body_bytes;
  }

  void on_read(beast::error_code ec, std::size_t) {
    // No deadline while the actors work on it: the request bridge has its own.
    deadline_ns_.store(0, std::memory_order_relaxed);
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted ||
        ec == net::error::bad_descriptor || ec == ssl::error::stream_truncated)
      return do_close();
    if (ec == http::error::body_limit)
      return refuse(make_error(error_code::payload_too_large, "request body exceeds " +
                                                                std::to_string(limit_for_head()) +
                                                                " bytes"));
    if (ec == http::error::header_limit)
      return refuse(make_error(error_code::header_too_large, "request head is too large"));
    if (ec)
      return refuse(make_error(error_code::bad_request, "malformed HTTP request: " + ec.message()));
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive() && !close_after_answer_;
    request_view view;
    view.method = std::string(req.method_string());
    view.target = std::string(req.target());
    view.content_type = std::string(req[http::field::content_type]);
    view.authorization = std::string(req[http::field::authorization]);
    view.idempotency_key = std::string(req["Idempotency-Key"]);
    view.if_none_match = std::string(req[http::field::if_none_match]);
    view.body = std::move(req.body());
    if (peer_.empty()) { // asked once per connection: a system call
      beast::error_code peer_ec;
      peer_ = socket_.remote_endpoint(peer_ec).address().to_string();
    }
    view.remote_address = peer_;
    auto rid = req["X-Request-Id"];
    request_id_ = valid_request_id(rid) ? std::string(rid) : new_request_id();
    method_ = view.method;
    path_ = view.target.substr(0, view.target.find('?'));
    ++shared_.in_flight;
    // The answer may come from an actor thread: hop back onto this connection's IO thread.
    auto self = shared_from_this();
    shared_.handlers.handle(std::move(view), [self](response r) {
      net::post(self->socket_.get_executor(),
                [self, r = std::move(r)]() mutable { self->send(std::move(r)); });
    });
  }

  /// The request cannot be trusted: answer once, then close so nothing is misread after it.
  void refuse(const api_error& err) {
    deadline_ns_.store(0, std::memory_order_relaxed);
    close_after_write_ = true;
    if (started_ == std::chrono::steady_clock::time_point{})
      started_ = std::chrono::steady_clock::now();
    auto r = error_response(err);
    r.route = "unparsed";
    send(std::move(r));
  }

  void send(response r) {
    auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_);
    metrics_registry::instance().observe_request(r.route, r.status, elapsed.count());
    if (shared_.cfg.log_requests)
      log_event("info", "request",
                {{"request_id", request_id_},
                 {"method", method_},
                 {"path", path_},
                 {"route", r.route},
                 {"status", std::to_string(r.status), true},
                 {"duration_ms", std::to_string(elapsed.count() * 1000), true},
                 {"user_id", r.user_id}});
    res_.emplace();
    res_->result(static_cast<unsigned>(r.status));
    res_->version(11);
    res_->set(http::field::server, "foresightd");
    res_->set(http::field::content_type, r.content_type);
    if (!request_id_.empty())
      res_->set("X-Request-Id", request_id_);
    for (auto& [k, v] : r.headers)
      res_->set(k, v);
    bool keep = keep_alive_ && !close_after_write_ && !shared_.stopping.load();
    res_->keep_alive(keep);
    res_->body() = std::move(r.body);
    res_->prepare_payload();
    expires_after(shared_.cfg.read_timeout_ms);
    with_stream([this, keep](auto& stream) {
      http::async_write(stream, *res_,
                        beast::bind_front_handler(&session::on_write, shared_from_this(), keep));
    });
  }

  void on_write(bool keep, beast::error_code ec, std::size_t) {
    if (!close_after_write_)
      --shared_.in_flight;
    res_.reset();
    request_id_.clear();
    started_ = {};
    if (ec)
      return do_close();
    if (!keep)
      return do_finish();
    do_read();
  }

  /// The orderly end after a last answer: TLS says close_notify first (bounded by the deadline).
  void do_finish() {
    if (!tls_)
      return do_close();
    expires_after(shared_.cfg.read_timeout_ms);
    tls_->async_shutdown([self = shared_from_this()](beast::error_code) { self->do_close(); });
  }

  void do_close() {
    deadline_ns_.store(0, std::memory_order_relaxed);
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);
  }

  void expires_after(int ms) {
    deadline_ns_.store(steady_ns() + std::int64_t{ms} * 1000000, std::memory_order_relaxed);
  }

  tcp::socket socket_;
  std::optional<ssl::stream<tcp::socket&>> tls_; ///< over socket_, when the server speaks TLS
  std::atomic<std::int64_t> deadline_ns_{0}; ///< steady clock; 0: none
  beast::flat_buffer buffer_;
  server_shared& shared_;
  const std::string address_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  std::chrono::steady_clock::time_point started_{};
  std::string request_id_, method_, path_;
  std::string peer_; ///< the client's address, once a request needed it
  bool keep_alive_ = false;
  bool close_after_write_ = false;
  bool close_after_answer_ = false; ///< the request's framing forbids reusing the connection
};

} // namespace

struct http_server::impl {
  /// First, so destroyed last: connections still pending in the contexts below are destroyed
  /// with them, and their destructors use it (the open set, the limits, the TLS context).
  server_shared shared;
  /// One per IO thread; a single-threaded io_context needs no strands.
  std::vector<std::unique_ptr<net::io_context>> contexts;
  /// Keeps each context's run() going while it has no connection yet.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
  std::size_t next_context = 0; ///< the context the next accepted connection goes to
  tcp::acceptor acceptor;
  net::steady_timer sweep_timer;
  std::chrono::milliseconds sweep_every;
  std::vector<std::thread> threads;
  /// Accepting again after running out of descriptors waits this long (doubling while it lasts).
  net::steady_timer accept_timer;
  std::chrono::milliseconds accept_pause{0};
  gauge& refused;
  gauge& accept_pauses;
  const std::string over_total_answer = refusal_bytes("the server has too many open connections");
  const std::string over_address_answer =
    refusal_bytes("too many open connections from your address");

  static std::vector<std::unique_ptr<net::io_context>> make_contexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> v;
    for (int i = 0; i < n; ++i)
      v.push_back(std::make_unique<net::io_context>(1));
    return v;
  }

  /// The total cap: as configured, or the soft open-file limit less a reserve for the
  /// database connections, the LLM's sockets and the process's own descriptors.
  static std::size_t total_cap(const config& cfg) {
    rlimit nofile{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    auto reserve = 64 + 2 * static_cast<std::size_t>(cfg.db_pool_size) +
                   static_cast<std::size_t>(cfg.llm_max_concurrent);
    return effective_connection_cap(static_cast<std::size_t>(cfg.max_connections),
                                     static_cast<std::size_t>(nofile.rlim_cur), reserve);
  }

  impl(const config& cfg, api_handlers& h)
    : shared{cfg,
             h,
             {},
             {},
             metrics_registry::instance().get_gauge("foresight_http_connections",
                                                    "open HTTP connections"),
             {total_cap(cfg), static_cast<std::size_t>(cfg.max_connections_per_address)},
             make_tls_context(cfg),
             {},
             {}},
      contexts(make_contexts(cfg.io_threads)),
      acceptor(*contexts[0]),
      sweep_timer(*contexts[0]),
      // A connection is closed at most a quarter of its timeout (and 250 ms) late.
      sweep_every(std::clamp(std::min(cfg.idle_timeout_ms, cfg.read_timeout_ms) / 4, 10, 250)),
      accept_timer(*contexts[0]),
      refused(metrics_registry::instance().get_counter(
        "foresight_http_connections_refused_total",
        "connections closed at once because a connection cap was reached")),
      accept_pauses(metrics_registry::instance().get_counter(
        "foresight_http_accept_pauses_total",
        "times accepting paused because the process ran out of descriptors")) {}

  void sweep() {
    sweep_timer.expires_after(sweep_every);
    sweep_timer.async_wait([this](beast::error_code ec) {
      if (ec)
        return;
      std::vector<std::shared_ptr<session>> overdue;
      {
        auto now = steady_ns();
        std::lock_guard<std::mutex> lock{shared.open_mtx};
        for (auto* s : shared.open)
          if (s->overdue(now))
            // Null when the session is being destroyed (it waits for this lock to leave).
            if (auto alive = s->weak_from_this().lock())
              overdue.push_back(std::move(alive));
      }
      // Outside the lock: the last reference may go here, and the destructor takes the lock.
      for (auto& s : overdue)
        s->expire();
      overdue.clear();
      sweep();
    });
  }

  void do_accept() {
    auto& ioc = *contexts[next_context++ % contexts.size()];
    acceptor.async_accept(ioc, [this](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !acceptor.is_open())
        return;
      if (ec)
        return on_accept_error(ec);
      accept_pause = {};
      admit(std::move(s));
      do_accept();
    });
  }

  /// Out of descriptors (or kernel memory) the next accept fails at once while the pending
  /// connection keeps the acceptor ready: accepting again at once spins a core. So pause, longer
  /// while it lasts; connections that close meanwhile make room. Other errors (a peer that gave
  /// up before the accept) concern one connection only.
  void on_accept_error(beast::error_code ec) {
    bool exhausted = ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
                     ec == net::error::no_memory ||
                     (ec.category() == beast::system_category() && ec.value() == ENFILE);
    if (!exhausted)
      return do_accept();
    if (accept_pause.count() == 0)
      log_event("warn", "accept paused", {{"error", ec.message()}});
    accept_pause = std::clamp(accept_pause * 2, std::chrono::milliseconds(10),
                              std::chrono::milliseconds(500));
    accept_pauses.add(1);
    accept_timer.expires_after(accept_pause);
    accept_timer.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor.is_open())
        do_accept();
    });
  }

  /// Serves the connection if the caps allow it; otherwise answers 503 (plain HTTP: TLS would
  /// cost a handshake first) and closes it.
  void admit(tcp::socket s) {
    beast::error_code ec;
    auto peer = s.remote_endpoint(ec);
    if (ec)
      return; // gone already
    auto address = address_key(peer.address());
    auto verdict = shared.limits.admit(address);
    if (verdict == connection_limits::verdict::admitted) {
      // Every answer is written whole, so Nagle's algorithm has nothing to merge: it only held a
      // TLS answer's last record back until the client's delayed ACK, 40 ms later.
      s.set_option(tcp::no_delay(true), ec);
      return std::make_shared<session>(std::move(s), shared, std::move(address))->run();
    }
    refused.add(1);
    if (shared.tls)
      return;
    auto socket = std::make_shared<tcp::socket>(std::move(s));
    const auto& answer = verdict == connection_limits::verdict::over_total ? over_total_answer
                                                                           : over_address_answer;
    net::async_write(*socket, net::buffer(answer), [socket](beast::error_code, std::size_t) {
      beast::error_code ignored;
      socket->shutdown(tcp::socket::shutdown_send, ignored);
      socket->close(ignored);
    });
  }
};

void check_tls(const config& cfg) {
  make_tls_context(cfg);
}

http_server::http_server(const config& cfg, api_handlers& handlers)
  : impl_(std::make_unique<impl>(cfg, handlers)) {
  // nop
}

http_server::~http_server() {
  shutdown(0);
}

std::uint16_t http_server::start() {
  auto& cfg = impl_->shared.cfg;
  tcp::endpoint ep{net::ip::make_address(cfg.bind), cfg.port};
  auto& a = impl_->acceptor;
  a.open(ep.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen(net::socket_base::max_listen_connections);
  impl_->do_accept();
  impl_->sweep();
  log_event("info", "connection caps",
            {{"total", std::to_string(impl_->shared.limits.total_cap()), true},
             {"per_address", std::to_string(impl_->shared.limits.per_address_cap()), true},
             {"tls", impl_->shared.tls ? "true" : "false", true}});
  for (auto& ioc : impl_->contexts) {
    impl_->keep_running.push_back(net::make_work_guard(*ioc));
    impl_->threads.emplace_back([&ioc] { ioc->run(); });
  }
  return a.local_endpoint().port();
}

void http_server::shutdown(int grace_ms) {
  if (impl_->threads.empty())
    return;
  impl_->shared.stopping = true;
  net::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_timer.cancel();
  });
  net::post(impl_->sweep_timer.get_executor(), [this] { impl_->sweep_timer.cancel(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (impl_->shared.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (auto& ioc : impl_->contexts)
    ioc->stop();
  for (auto& t : impl_->threads)
    t.join();
  impl_->threads.clear();
}

} // namespace foresight
