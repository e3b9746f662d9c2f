// The http-desync-guardian request cases (shared/corpora/http-desync, see its SOURCE.md) as
// bytes to send. Their YAML uses a small, regular subset, read here line by line, so the tests
// need no YAML library.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace foresight::testing {

/// One case, its fields decoded as the upstream harness does (YAML, a second backslash
/// unescape, UTF-8).
struct desync_case {
  std::string file;
  std::string name;
  std::string method, uri, version;
  std::vector<std::pair<std::string, std::string>> headers; ///< in order, repeats kept
  std::string tier;   ///< Compliant, Acceptable, Ambiguous or Severe
  std::string reason; ///< e.g. BadTransferEncoding

  /// The request line and headers as sent (a Host added when the case has none) and, for a
  /// served case, a body that matches its framing.
  std::string bytes(bool with_body) const;
};

/// Every case of every `*.yaml` file in `dir`, in file order.
std::vector<desync_case> load_desync_cases(const std::string& dir);

} // namespace foresight::testing
