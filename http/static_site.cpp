// static_site: a map from URL path to file contents, built by walking three folders once.
#include "http/static_site.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <openssl/evp.h>

namespace foresight {

namespace fs = std::filesystem;

namespace {

std::string quoted_digest(const std::string& body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned i = 0; i < 16 && i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  out.push_back('"');
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

std::string static_site::content_type_for(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> types[] = {
    {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},          {".map", "application/json"},
    {".svg", "image/svg+xml"},              {".png", "image/png"},
    {".ico", "image/x-icon"},               {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
  };
  for (auto& [ext, type] : types)
    if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext)
      return std::string(type);
  return "application/octet-stream";
}

static_site static_site::load(const std::string& root) {
  static_site site;
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec))
    return site;
  for (const char* folder : {"console", "docs", "vendor"}) {
    auto dir = fs::path(root) / folder;
    if (!fs::is_directory(dir, ec))
      continue;
    for (auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.is_symlink())
        continue;
      auto rel = fs::relative(entry.path(), root).generic_string();
      static_file f;
      f.body = read_file(entry.path());
      f.content_type = content_type_for(rel);
      f.etag = quoted_digest(f.body);
      site.files_.emplace("/" + rel, std::move(f));
    }
  }
  // The pages' own addresses.
  auto alias = [&](const std::string& path, const std::string& file) {
    if (auto i = site.files_.find(file); i != site.files_.end())
      site.files_.emplace(path, i->second);
  };
  alias("/", "/console/index.html");
  alias("/docs", "/docs/index.html");
  alias("/docs/", "/docs/index.html");
  return site;
}

const static_file* static_site::find(std::string_view path) const {
  auto i = files_.find(path);
  return i == files_.end() ? nullptr : &i->second;
}

const std::vector<std::pair<std::string, std::string>>& static_site::headers() {
  static const std::vector<std::pair<std::string, std::string>> h = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
     "frame-ancestors 'none'; form-action 'self'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-cache"},
  };
  return h;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  // A comma-separated list of entity tags; weak ones (W/"...") match too for GET.
  std::size_t pos = 0;
  while (pos < if_none_match.size()) {
    auto comma = if_none_match.find(',', pos);
    if (comma == std::string_view::npos)
      comma = if_none_match.size();
    auto tag = if_none_match.substr(pos, comma - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t'))
      tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t'))
      tag.remove_suffix(1);
    if (tag.rfind("W/", 0) == 0)
      tag.remove_prefix(2);
    if (tag == "*" || tag == etag)
      return true;
    pos = comma + 1;
  }
  return false;
}

} // namespace foresight
