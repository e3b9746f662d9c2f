// A mock OpenAI-compatible server for tests: real HTTP/1.1 on 127.0.0.1 (ephemeral port), served
// by its own thread, answering POST /v1/chat/completions with scripted behaviours. Optionally over
// TLS with a self-signed certificate made at start-up, so the client's HTTPS path is tested too.
#pragma once
#include <memory>
#include <string>

namespace foresight::testing {

struct mock_behavior {
  /// dropped: the connection closes without an answer; truncated: a 200 whose body stops half
  /// way and the connection closes; endless: a 200 whose chunked body never ends.
  enum kind_t { ok, slow, rate_limited, server_error, not_json, dropped, truncated, endless } kind =
    ok;
  std::string content;     ///< for ok/slow: the string put in choices[0].message.content
  int delay_ms = 0;        ///< wait this long before answering (slow answers ok with content)
  int retry_after_s = 1;   ///< rate_limited: the Retry-After header value
};

/// TLS mode: the certificate names `cert_host` (CN and subjectAltName DNS:, plus IP: when it is an
/// IP literal). It is self-signed and marked CA:TRUE so that it can be its own trust anchor.
struct mock_tls {
  std::string cert_host = "localhost";
};

class mock_openai {
public:
  mock_openai();                       ///< plain HTTP, listening on 127.0.0.1:<ephemeral>
  explicit mock_openai(mock_tls tls);  ///< HTTPS, still listening on 127.0.0.1:<ephemeral>
  ~mock_openai();                      ///< stops at once, even with a slow answer pending
  int port() const;
  /// "http://127.0.0.1:<port>/v1", or "https://<cert_host>:<port>/v1" in TLS mode.
  std::string base_url() const;
  /// TLS mode: a PEM file holding the certificate, for llm_settings::ca_file; removed by the
  /// destructor. Empty in plain mode.
  std::string ca_pem_path() const;
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
