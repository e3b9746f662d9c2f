// llm_client: one IO thread runs every call as a chain of Beast handlers (resolve, connect, TLS
// handshake, write, read), a fresh connection per attempt. Each call is a shared_ptr object kept
// alive by its pending handlers; a per-call timer enforces the deadline over all attempts and the
// backoff waits between them. Counters, the breaker and the registry of live calls share a mutex
// because complete() and counters() run on the callers' threads.
#include "llm/llm_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include "core/json_writer.hpp"

namespace foresight {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

/// Where calls go, taken apart from llm_settings::base_url.
struct endpoint_spec {
  bool tls = true;
  std::string host;        ///< without IPv6 brackets: what is resolved and verified
  std::string port;
  std::string host_header; ///< host[:port] as the Host header wants it
  std::string target;      ///< path prefix + "/chat/completions"
};

bool is_ip_literal(const std::string& host) {
  error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

bool is_loopback(const std::string& host) {
  if (beast::iequals(host, "localhost"))
    return true;
  error_code ec;
  auto addr = net::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

endpoint_spec parse_base_url(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("llm base_url \"" + url + "\": " + why);
  };
  endpoint_spec ep;
  std::string_view rest{url};
  auto scheme_end = rest.find("://");
  if (scheme_end == std::string_view::npos)
    throw bad("no scheme");
  beast::string_view scheme{rest.data(), scheme_end};
  if (beast::iequals(scheme, "https"))
    ep.tls = true;
  else if (beast::iequals(scheme, "http"))
    ep.tls = false;
  else
    throw bad("the scheme must be https (or http to a loopback host)");
  rest.remove_prefix(scheme_end + 3);

  auto path_start = rest.find('/');
  auto authority = rest.substr(0, path_start);
  auto path = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos)
    throw bad("credentials in the URL are not supported");
  if (path.find_first_of("?#") != std::string_view::npos)
    throw bad("a query or fragment is not supported");

  std::string_view port;
  if (!authority.empty() && authority.front() == '[') { // [IPv6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      throw bad("unterminated IPv6 literal");
    ep.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        throw bad("junk after the IPv6 literal");
      port = after.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    ep.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos)
      port = authority.substr(colon + 1);
  }
  if (ep.host.empty())
    throw bad("no host");

  const char* default_port = ep.tls ? "443" : "80";
  if (port.empty()) {
    ep.port = default_port;
  } else {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw bad("bad port");
    int n = std::stoi(std::string(port));
    if (n < 1 || n > 65535)
      throw bad("bad port");
    ep.port = std::to_string(n);
  }
  if (!ep.tls && !is_loopback(ep.host))
    throw bad("plain http is only allowed to a loopback host");

  ep.host_header = ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
  if (ep.port != default_port)
    ep.host_header += ":" + ep.port;
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  ep.target = std::string(path) + "/chat/completions";
  return ep;
}

std::string request_body(const llm_settings& s, const llm_request& r) {
  json_writer w;
  w.begin_object()
      .key("model").value(s.model)
      .key("messages").begin_array()
      .begin_object().key("role").value("system").key("content").value(r.system_prompt).end_object()
      .begin_object().key("role").value("user").key("content").value(r.user_prompt).end_object()
      .end_array()
      .key("max_tokens").value(s.max_tokens)
      .key("temperature").value(s.temperature)
      .key("response_format").begin_object().key("type").value("json_object").end_object()
      .end_object();
  return w.take();
}

/// Retry-After in its delta-seconds form; the HTTP-date form falls back to our own backoff.
std::optional<std::chrono::milliseconds> retry_after(const http::response<http::string_body>& res) {
  auto it = res.find(http::field::retry_after);
  if (it == res.end())
    return std::nullopt;
  auto v = it->value();
  if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::chrono::seconds(std::stol(std::string(v)));
}

} // namespace

struct llm_client::impl {
  struct call;
  enum class breaker_state { closed, open, half_open };

  explicit impl(llm_settings s)
    : settings(std::move(s)), ep(parse_base_url(settings.base_url)),
      work(net::make_work_guard(ioc)) {
    tls_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls_ctx.set_verify_mode(ssl::verify_peer);
    tls_ctx.set_default_verify_paths();
    if (!settings.ca_file.empty())
      tls_ctx.load_verify_file(settings.ca_file);
  }

  /// Caller holds `mutex`. An open breaker lets one trial call through once its time is up.
  bool breaker_admits() {
    switch (breaker) {
      case breaker_state::closed: return true;
      case breaker_state::half_open: return false; // the trial call is still in flight
      case breaker_state::open:
        if (steady::now() < opened_at + std::chrono::milliseconds(settings.breaker_open_ms))
          return false;
        breaker = breaker_state::half_open;
        return true;
    }
    return false;
  }

  void count_attempt(bool is_retry) {
    std::lock_guard lock(mutex);
    ++counters.attempts;
    if (is_retry)
      ++counters.retries;
  }

  /// The books when a call ends. A shutdown says nothing about the upstream, so the breaker
  /// does not hear of it.
  void call_ended(std::uint64_t id, const llm_reply& r, bool judge_upstream) {
    std::lock_guard lock(mutex);
    calls.erase(id);
    --counters.in_flight;
    if (r.ok) {
      ++counters.successes;
      counters.tokens_in += r.prompt_tokens;
      counters.tokens_out += r.completion_tokens;
    } else {
      ++counters.errors;
    }
    if (!judge_upstream)
      return;
    if (r.ok) {
      consecutive_failures = 0;
      breaker = breaker_state::closed;
    } else if (++consecutive_failures >= settings.breaker_failures ||
               breaker == breaker_state::half_open) {
      breaker = breaker_state::open;
      opened_at = steady::now();
    }
  }

  const llm_settings settings;
  const endpoint_spec ep;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work; // run() lasts until shutdown
  ssl::context tls_ctx{ssl::context::tls_client};
  simdjson::dom::parser parser; // IO thread only
  std::thread thread;

  mutable std::mutex mutex; // guards everything below
  llm_counters counters;
  breaker_state breaker = breaker_state::closed;
  int consecutive_failures = 0;
  steady::time_point opened_at;
  bool stopping = false;
  std::uint64_t last_id = 0;
  std::map<std::uint64_t, std::weak_ptr<call>> calls; // live calls, for the destructor to cancel
};

/// One call: every member is touched on the IO thread only (construction aside).
struct llm_client::impl::call : std::enable_shared_from_this<call> {
  call(impl& owner, std::uint64_t id, const llm_request& r, std::function<void(llm_reply)> done)
    : owner(owner), id(id), deadline(r.deadline), done(std::move(done)), deadline_timer(owner.ioc),
      backoff_timer(owner.ioc), resolver(owner.ioc) {
    request.method(http::verb::post);
    request.target(owner.ep.target);
    request.version(11);
    request.set(http::field::host, owner.ep.host_header);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::accept, "application/json");
    request.set(http::field::user_agent, "foresight");
    if (!owner.settings.api_key.empty())
      request.set(http::field::authorization, "Bearer " + owner.settings.api_key);
    request.keep_alive(false);
    request.body() = request_body(owner.settings, r);
    request.prepare_payload();
  }

  void start() {
    if (finished)
      return;
    deadline_timer.expires_at(deadline);
    deadline_timer.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec)
        self->finish(false, "timeout");
    });
    attempt();
  }

  void attempt() {
    if (finished)
      return;
    if (steady::now() >= deadline)
      return finish(false, "timeout");
    ++reply.attempts;
    owner.count_attempt(reply.attempts > 1);
    tls.reset();
    plain.reset();
    response = {};
    buffer.clear();
    if (owner.ep.tls) {
      tls.emplace(owner.ioc, owner.tls_ctx);
      // SNI is for names only (RFC 6066); the certificate is checked against the host either way.
      if (!is_ip_literal(owner.ep.host) &&
          !SSL_set_tlsext_host_name(tls->native_handle(), owner.ep.host.c_str()))
        return finish(false, "tls: cannot set SNI");
      tls->set_verify_callback(ssl::host_name_verification(owner.ep.host));
    } else {
      plain.emplace(owner.ioc);
    }
    resolver.async_resolve(owner.ep.host, owner.ep.port,
                           beast::bind_front_handler(&call::on_resolve, shared_from_this()));
  }

  void on_resolve(error_code ec, const tcp::resolver::results_type& results) {
    if (finished)
      return;
    if (ec)
      return retry_or_fail("resolve: " + ec.message(), true);
    tcp_layer().async_connect(results, beast::bind_front_handler(&call::on_connect, shared_from_this()));
  }

  void on_connect(error_code ec, const tcp::endpoint&) {
    if (finished)
      return;
    if (ec)
      return retry_or_fail("connect: " + ec.message(), true);
    if (!tls)
      return send();
    tls->async_handshake(ssl::stream_base::client,
                         beast::bind_front_handler(&call::on_handshake, shared_from_this()));
  }

  void on_handshake(error_code ec) {
    if (finished)
      return;
    // A TLS protocol error (bad certificate, no TLS server) will not heal by retrying; a
    // connection dropped mid-handshake might.
    if (ec)
      return retry_or_fail("tls: " + ec.message(), ec.category() != net::error::get_ssl_category());
    send();
  }

  void send() {
    with_stream([this](auto& s) {
      http::async_write(s, request, beast::bind_front_handler(&call::on_write, shared_from_this()));
    });
  }

  void on_write(error_code ec, std::size_t) {
    if (finished)
      return;
    if (ec)
      return retry_or_fail("write: " + ec.message(), true);
    with_stream([this](auto& s) {
      http::async_read(s, buffer, response, beast::bind_front_handler(&call::on_read, shared_from_this()));
    });
  }

  void on_read(error_code ec, std::size_t) {
    if (finished)
      return;
    close_stream(); // Connection: close, and nothing more to read
    if (ec)
      return retry_or_fail("read: " + ec.message(), true);
    unsigned status = response.result_int();
    if (status == 200)
      return parse_reply() ? finish(true, {}) : finish(false, "bad reply");
    std::string error = "http " + std::to_string(status);
    if (status == 429 || status >= 500)
      return retry_or_fail(std::move(error), true, retry_after(response));
    finish(false, std::move(error));
  }

  bool parse_reply() {
    simdjson::dom::element doc;
    std::string_view content;
    if (owner.parser.parse(response.body()).get(doc) ||
        doc.at_pointer("/choices/0/message/content").get(content))
      return false;
    reply.content = std::string(content);
    std::int64_t n = 0;
    if (!doc.at_pointer("/usage/prompt_tokens").get(n))
      reply.prompt_tokens = n;
    if (!doc.at_pointer("/usage/completion_tokens").get(n))
      reply.completion_tokens = n;
    return true;
  }

  void retry_or_fail(std::string error, bool retryable,
                     std::optional<std::chrono::milliseconds> wait = std::nullopt) {
    close_stream();
    if (!retryable || reply.attempts >= owner.settings.max_attempts)
      return finish(false, std::move(error));
    auto delay = wait.value_or(std::chrono::milliseconds(owner.settings.backoff_base_ms) *
                               (std::int64_t{1} << std::min(reply.attempts - 1, 20)));
    // Waiting past the deadline only to time out would hide the real error.
    if (steady::now() + delay >= deadline)
      return finish(false, std::move(error));
    backoff_timer.expires_after(delay);
    backoff_timer.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec)
        self->attempt();
    });
  }

  /// Ends the call once: cancels whatever is pending (those handlers then see `finished`),
  /// settles the books and runs the callback.
  void finish(bool ok, std::string error) {
    if (finished)
      return;
    finished = true;
    deadline_timer.cancel();
    backoff_timer.cancel();
    resolver.cancel();
    close_stream();
    reply.ok = ok;
    reply.error = std::move(error);
    if (!ok)
      reply.content.clear();
    owner.call_ended(id, reply, reply.error != "shutdown");
    try {
      done(std::move(reply));
    } catch (...) {
      // A throwing callback must not take the IO thread, and every other call, down with it.
    }
  }

  beast::tcp_stream& tcp_layer() { return tls ? tls->next_layer() : *plain; }

  void close_stream() {
    if (tls)
      tls->next_layer().close();
    if (plain)
      plain->close();
  }

  template <class F>
  void with_stream(F&& f) {
    if (tls)
      f(*tls);
    else
      f(*plain);
  }

  impl& owner; // outlives the call's handlers: the destructor joins the IO thread first
  const std::uint64_t id;
  const steady::time_point deadline;
  std::function<void(llm_reply)> done;
  http::request<http::string_body> request; // sent again, unchanged, by every attempt
  llm_reply reply;
  bool finished = false;
  net::steady_timer deadline_timer;
  net::steady_timer backoff_timer;
  tcp::resolver resolver;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls; // one of these two per attempt
  std::optional<beast::tcp_stream> plain;
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
};

llm_client::llm_client(llm_settings settings)
  : impl_(std::make_shared<impl>(std::move(settings))) {
  impl_->thread = std::thread([d = impl_.get()] { d->ioc.run(); });
}

llm_client::~llm_client() {
  auto& d = *impl_;
  std::vector<std::shared_ptr<impl::call>> live;
  {
    std::lock_guard lock(d.mutex);
    d.stopping = true;
    for (auto& [id, weak] : d.calls)
      if (auto c = weak.lock())
        live.push_back(std::move(c));
  }
  // Cancelling on the IO thread lets every pending handler run out, so run() returns with
  // nothing left behind for the io_context's destructor.
  net::post(d.ioc, [live = std::move(live)] {
    for (auto& c : live)
      c->finish(false, "shutdown");
  });
  d.work.reset();
  d.thread.join();
}

void llm_client::complete(llm_request request, std::function<void(llm_reply)> done) {
  auto& d = *impl_;
  const char* refusal = nullptr;
  std::shared_ptr<impl::call> c;
  {
    std::lock_guard lock(d.mutex);
    // The cap comes first so that a call it refuses does not use up the breaker's trial.
    if (d.stopping)
      refusal = "shutdown";
    else if (d.counters.in_flight >= d.settings.max_concurrent)
      refusal = "too many concurrent calls";
    else if (!d.breaker_admits())
      refusal = "circuit open";

    if (refusal) {
      ++d.counters.refused;
    } else {
      ++d.counters.calls;
      ++d.counters.in_flight;
      c = std::make_shared<impl::call>(d, ++d.last_id, request, std::move(done));
      d.calls.emplace(c->id, c);
    }
  }
  if (refusal) {
    llm_reply r;
    r.refused = true;
    r.error = refusal;
    done(std::move(r));
    return;
  }
  net::post(d.ioc, [c = std::move(c)] { c->start(); });
}

llm_counters llm_client::counters() const {
  std::lock_guard lock(impl_->mutex);
  llm_counters out = impl_->counters;
  switch (impl_->breaker) {
    case impl::breaker_state::closed: out.breaker = "closed"; break;
    case impl::breaker_state::open: out.breaker = "open"; break;
    case impl::breaker_state::half_open: out.breaker = "half_open"; break;
  }
  return out;
}

const llm_settings& llm_client::settings() const { return impl_->settings; }

void llm_client::check_base_url(const std::string& base_url) {
  parse_base_url(base_url);
}

} // namespace foresight
