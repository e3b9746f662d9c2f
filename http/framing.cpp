// framing_problem: the Transfer-Encoding list as RFC 9110 section 5.6.1 spells lists (commas,
// optional whitespace, empty elements allowed), each coding compared case-insensitively.
// is_framing_lookalike: the letters of a name, compared with those of the two framing fields.
#include "http/framing.hpp"

namespace foresight {

namespace {

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// ASCII case-insensitive equality with a lower-case `want`.
bool iequals(std::string_view s, std::string_view want) {
  if (s.size() != want.size())
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] | 0x20) : s[i];
    if (c != want[i])
      return false;
  }
  return true;
}

} // namespace

bool framing_needs_close(std::string_view method, bool has_transfer_encoding,
                         std::size_t content_length_fields) {
  bool framed = has_transfer_encoding || content_length_fields > 0;
  return content_length_fields > 1 || (framed && (method == "GET" || method == "HEAD"));
}

bool is_framing_lookalike(std::string_view name) {
  std::string letters;
  for (char c : name)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
      letters.push_back(static_cast<char>(c | 0x20));
  if (letters != "transferencoding" && letters != "contentlength")
    return false;
  return !iequals(name, "transfer-encoding") && !iequals(name, "content-length");
}

std::string framing_problem(const std::vector<std::string_view>& transfer_encodings,
                            bool has_content_length) {
  if (transfer_encodings.empty())
    return {};
  if (has_content_length)
    return "Transfer-Encoding and Content-Length together";
  std::vector<std::string_view> codings;
  for (auto value : transfer_encodings) {
    std::size_t start = 0;
    while (start <= value.size()) {
      auto comma = value.find(',', start);
      if (comma == std::string_view::npos)
        comma = value.size();
      if (auto coding = trim_ows(value.substr(start, comma - start)); !coding.empty())
        codings.push_back(coding);
      start = comma + 1;
    }
  }
  if (codings.empty())
    return "empty Transfer-Encoding";
  if (!iequals(codings.back(), "chunked"))
    return "chunked is not the final transfer coding";
  if (codings.size() > 1)
    return "transfer codings other than chunked are not supported";
  return {};
}

} // namespace foresight
