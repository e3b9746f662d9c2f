// The YAML subset of the http-desync files: a sequence of mappings at column 0 (`- name:`), keys
// at column 2, a `headers` sequence of {name, value, tier} at column 4, and `expected` with tier
// and reason. Scalars are plain, 'single-quoted' or "double-quoted" (with YAML's escapes), each
// on one line; whole-line comments are skipped.
#include "tests/integration/desync_cases.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace foresight::testing {

namespace {

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

/// `\x`, `\u` and `\U` escapes: `digits` hex digits at `s[i]`, as UTF-8 (so `\x85` is C2 85).
std::size_t append_hex_escape(std::string& out, const std::string& s, std::size_t i,
                              std::size_t digits) {
  append_utf8(out, std::stoul(s.substr(i, digits), nullptr, 16));
  return i + digits;
}

/// A YAML scalar as written after `key: `.
std::string yaml_scalar(const std::string& raw) {
  if (raw.empty())
    return {};
  std::string out;
  if (raw[0] == '\'') {
    for (std::size_t i = 1; i < raw.size(); ++i) {
      if (raw[i] == '\'') {
        if (i + 1 < raw.size() && raw[i + 1] == '\'') {
          out.push_back('\'');
          ++i;
          continue;
        }
        return out;
      }
      out.push_back(raw[i]);
    }
    throw std::runtime_error("unterminated 'scalar': " + raw);
  }
  if (raw[0] == '"') {
    for (std::size_t i = 1; i < raw.size();) {
      char c = raw[i++];
      if (c == '"')
        return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      char e = raw.at(i++);
      switch (e) {
        case 'x': i = append_hex_escape(out, raw, i, 2); break;
        case 'u': i = append_hex_escape(out, raw, i, 4); break;
        case 'U': i = append_hex_escape(out, raw, i, 8); break;
        case '0': out.push_back('\0'); break;
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 't': out.push_back('\t'); break;
        case 'n': out.push_back('\n'); break;
        case 'v': out.push_back('\v'); break;
        case 'f': out.push_back('\f'); break;
        case 'r': out.push_back('\r'); break;
        case 'e': out.push_back('\x1b'); break;
        default: out.push_back(e); break; // \" \\ \/ and \ + space
      }
    }
    throw std::runtime_error("unterminated \"scalar\": " + raw);
  }
  // Plain: a comment starts at " #".
  auto hash = raw.find(" #");
  out = raw.substr(0, hash);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t'))
    out.pop_back();
  return out;
}

/// The upstream harness's second pass over uri, method, version and header fields.
std::string unescape_again(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i++];
    if (c != '\\' || i == s.size()) {
      out.push_back(c);
      continue;
    }
    char e = s[i++];
    switch (e) {
      case 'x':
        if (i + 2 <= s.size() && std::isxdigit(static_cast<unsigned char>(s[i])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 1])))
          i = append_hex_escape(out, s, i, 2);
        else
          out.push_back('x');
        break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      default: out.push_back(e); break;
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void read_file(const std::filesystem::path& path, std::vector<desync_case>& out) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::string section; // "headers", "expected" or "" for the case's own keys
  desync_case* current = nullptr;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    auto first = line.find_first_not_of(' ');
    if (first == std::string::npos || line[first] == '#')
      continue;
    std::size_t indent = first;
    std::string content = line.substr(first);
    bool item = content.rfind("- ", 0) == 0;
    if (item) {
      content = content.substr(2);
      indent += 2;
    }
    auto colon = content.find(':');
    if (colon == std::string::npos)
      continue; // an item of required_message_items
    auto key = content.substr(0, colon);
    auto rest = content.substr(colon + 1);
    rest.erase(0, rest.find_first_not_of(' ') == std::string::npos ? rest.size()
                                                                    : rest.find_first_not_of(' '));
    auto value = yaml_scalar(rest);
    if (indent == 2 && item && key == "name") {
      out.emplace_back();
      current = &out.back();
      current->file = path.filename().string();
      current->name = value;
      section.clear();
      continue;
    }
    if (!current)
      throw std::runtime_error(path.string() + ": a key before the first case: " + line);
    if (indent == 2) {
      section = key == "headers" || key == "expected" ? key : "";
      if (key == "method")
        current->method = unescape_again(value);
      else if (key == "uri")
        current->uri = unescape_again(value);
      else if (key == "version")
        current->version = unescape_again(value);
    } else if (section == "headers" && indent == 6) {
      if (item && key == "name")
        current->headers.emplace_back(unescape_again(value), "");
      else if (key == "value" && !current->headers.empty())
        current->headers.back().second = unescape_again(value);
    } else if (section == "expected" && indent == 4) {
      if (key == "tier")
        current->tier = value;
      else if (key == "reason")
        current->reason = value;
    }
  }
}

} // namespace

std::string desync_case::bytes(bool with_body) const {
  std::string out = method + " " + uri + " " + version + "\r\n";
  bool has_host = false;
  std::string body;
  for (auto& [name, value] : headers) {
    out += name + ": " + value + "\r\n";
    auto n = lower(name);
    has_host = has_host || n == "host";
    if (!with_body)
      continue;
    auto digits = value.substr(value.find_first_not_of(" \t") == std::string::npos
                                 ? value.size()
                                 : value.find_first_not_of(" \t"));
    digits.erase(digits.find_last_not_of(" \t") + 1);
    if (n == "content-length" && !digits.empty() && digits.size() < 8 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        std::stoul(digits) <= (1u << 20))
      body = std::string(std::stoul(digits), 'x');
    else if (n == "transfer-encoding" && lower(value).find("chunked") != std::string::npos)
      body = "0\r\n\r\n";
  }
  if (!has_host)
    out += "Host: x\r\n";
  return out + "\r\n" + body;
}

std::vector<desync_case> load_desync_cases(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".yaml")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<desync_case> out;
  for (auto& f : files)
    read_file(f, out);
  return out;
}

} // namespace foresight::testing
