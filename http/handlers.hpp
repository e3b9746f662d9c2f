// Route handlers: authentication, rate limiting, body checks and JSON shaping around backend
// calls. Free of Beast: the server hands in a request_view and gets a response back.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "http/static_site.hpp"
#include "ports/activity_importer.hpp"
#include "ports/backend.hpp"

namespace foresight {

/// The parts of an HTTP request the handlers look at.
struct request_view {
  std::string method;
  std::string target; ///< path and query string
  std::string content_type;
  std::string authorization;
  std::string idempotency_key;
  std::string if_none_match; ///< revalidation of a static file
  std::string body;
  std::string remote_address; ///< the client's IP address, for per-address login limits
};

/// What the server writes back.
struct response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string route = "unmatched"; ///< route pattern, for metrics and logs
  std::string user_id;             ///< for the request log, when authenticated
};

/// An error response in the one JSON shape.
response error_response(const api_error& err);

/// Dispatches requests to routes. Thread-safe; `respond` may be called on any thread.
class api_handlers {
public:
  /// Without an `importer`, POST /api/v1/activity/import answers 503; `site` is served for GET
  /// requests no API route takes.
  api_handlers(backend& app, const config& cfg, std::string jwt_secret,
               std::shared_ptr<activity_importer> importer = nullptr, static_site site = {});
  ~api_handlers();

  /// Takes the request by value: a route may keep its body (an import's, up to
  /// --max-import-bytes) without a copy.
  void handle(request_view req, std::function<void(response)> respond);

  /// Tokens of `user_id` issued before `changed_at` (Unix seconds) stop working; app/serve.cpp passes
  /// the stored password changes at start, the password route every new one.
  void password_changed(const std::string& user_id, std::int64_t changed_at);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace foresight
