// An asynchronous OpenAI-compatible Chat Completions client (Beast + OpenSSL) with its own IO
// thread: deadlines, retries with backoff on 429/5xx honouring Retry-After, a circuit breaker and
// a cap on concurrent calls. Free of CAF: the suggestion actors call it and get a callback.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace foresight {

struct llm_settings {
  std::string base_url;      ///< e.g. https://api.openai.com/v1 ; http:// only for loopback hosts
  std::string api_key;       ///< sent as "Authorization: Bearer <key>" (may be empty for mocks)
  std::string model = "gpt-4o-mini";
  int max_tokens = 400;
  double temperature = 0.7;
  int max_concurrent = 8;        ///< calls in flight at once; more are refused at once
  int breaker_failures = 5;      ///< consecutive failed calls that open the breaker
  int breaker_open_ms = 30000;   ///< how long it stays open before one trial call (half-open)
  int backoff_base_ms = 100;     ///< first retry delay without Retry-After; doubles per retry
  int max_attempts = 3;          ///< attempts per call, all within the deadline
  std::string ca_file;           ///< extra CA bundle (PEM); empty: the system's default paths
};

/// One completion request: a system and a user message; JSON mode is always requested.
struct llm_request {
  std::string system_prompt;
  std::string user_prompt;
  std::chrono::steady_clock::time_point deadline;
};

/// The outcome of one call (after retries).
struct llm_reply {
  bool ok = false;
  std::string content;           ///< choices[0].message.content when ok
  std::string error;             ///< short reason when not ok: "timeout", "http 500", ...
  bool refused = false;          ///< not attempted: breaker open or too many in flight
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  int attempts = 0;
};

/// Counters since start, for /metrics and the stats route.
struct llm_counters {
  std::int64_t calls = 0;        ///< calls accepted (attempted at least once)
  std::int64_t attempts = 0;     ///< HTTP requests sent, including retries
  std::int64_t successes = 0;
  std::int64_t errors = 0;       ///< calls that ended without a usable reply
  std::int64_t refused = 0;      ///< calls refused by the breaker or the concurrency cap
  std::int64_t retries = 0;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t in_flight = 0;
  std::string breaker = "closed"; ///< closed, open or half_open
};

class llm_client {
public:
  /// Starts the IO thread. Throws std::invalid_argument for an unusable base_url (bad scheme,
  /// or http:// to a host that is not loopback).
  explicit llm_client(llm_settings settings);

  /// Throws std::invalid_argument, as the constructor would, if `base_url` is unusable; for
  /// checking configuration before anything starts.
  static void check_base_url(const std::string& base_url);
  /// Cancels what is in flight (their callbacks get "shutdown") and joins the IO thread, so it
  /// must not run inside a `done` callback. DNS lookups cannot be interrupted: one in progress
  /// delays the join until it ends.
  ~llm_client();

  /// Starts one call. `done` runs exactly once, on the client's IO thread (or synchronously for
  /// a refused call), never after the destructor returned.
  void complete(llm_request request, std::function<void(llm_reply)> done);

  llm_counters counters() const;
  const llm_settings& settings() const;

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace foresight
