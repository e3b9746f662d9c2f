// The files foresightd serves besides its API: the web console at `/`, the API reference at
// `/docs`, and the browser libraries they load. Read once at start from --web-root, so a request
// can only ever reach a file that was there then (no path from a URL touches the filesystem).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace foresight {

struct static_file {
  std::string body;
  std::string content_type;
  std::string etag; ///< a strong validator: a hash of the body, quoted
};

class static_site {
public:
  /// An empty site: every path is unknown.
  static_site() = default;

  /// Loads `root/console`, `root/docs` and `root/vendor` (regular files only). A missing root
  /// gives an empty site. Throws std::runtime_error if a file cannot be read.
  static static_site load(const std::string& root);

  /// The file served at `path` (no query string), or nullptr.
  const static_file* find(std::string_view path) const;

  std::size_t size() const { return files_.size(); }

  /// The Content-Type for a file name's extension (application/octet-stream if unknown).
  static std::string content_type_for(std::string_view name);

  /// Response headers every page and asset carries: a strict Content-Security-Policy (scripts,
  /// styles and connections from this origin only; no inline script), no sniffing, no framing,
  /// no referrer; `Cache-Control: no-cache`, so a browser revalidates with the ETag (a 304
  /// costs a few bytes) and an upgraded server is never shadowed by stale files.
  static const std::vector<std::pair<std::string, std::string>>& headers();

private:
  std::map<std::string, static_file, std::less<>> files_;
};

/// True if `if_none_match` (an If-None-Match header value) names `etag` or is `*`.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

} // namespace foresight
