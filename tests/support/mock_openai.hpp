// A mock OpenAI-compatible server for tests: real HTTP/1.1 on 127.0.0.1 (ephemeral port), served
// by its own thread, answering POST /v1/chat/completions with scripted behaviours.
#pragma once
#include <memory>
#include <string>

namespace foresight::testing {

struct mock_behavior {
  enum kind_t { ok, slow, rate_limited, server_error, not_json } kind = ok;
  std::string content;     ///< for ok/slow: the string put in choices[0].message.content
  int delay_ms = 0;        ///< wait this long before answering (slow answers ok with content)
  int retry_after_s = 1;   ///< rate_limited: the Retry-After header value
};

class mock_openai {
public:
  mock_openai();                       ///< starts listening on 127.0.0.1:<ephemeral>
  ~mock_openai();                      ///< stops at once, even with a slow answer pending
  int port() const;
  std::string base_url() const;        ///< "http://127.0.0.1:<port>/v1"
  void respond_with(mock_behavior b);  ///< the default behaviour for every request
  void then(mock_behavior b);          ///< one-shot behaviours, consumed in order before the default
  int requests() const;                ///< requests to /v1/chat/completions received so far
  std::string last_body() const;       ///< body of the last such request
  std::string last_authorization() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace foresight::testing
