// Plain string scans; nothing here needs to parse a URL or conninfo completely, only to find
// where a secret starts and ends.
#include "core/redact.hpp"

#include <cctype>

namespace foresight {

namespace {

bool is_value_end(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'';
}

/// From `pos`, an unquoted value runs to white space; a quoted one to its unescaped quote.
std::size_t end_of_conninfo_value(std::string_view text, std::size_t pos) {
  if (pos < text.size() && text[pos] == '\'') {
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
      if (text[i] == '\\')
        ++i;
      else if (text[i] == '\'')
        return i + 1;
    }
    return text.size();
  }
  while (pos < text.size() && !is_value_end(text[pos]) && text[pos] != '&')
    ++pos;
  return pos;
}

} // namespace

std::string redact_credentials(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // URL user info: scheme://user:password@host
    if (text.compare(i, 3, "://") == 0) {
      auto start = i + 3;
      auto end = start;
      while (end < text.size() && text[end] != '@' && text[end] != '/' && !is_value_end(text[end]))
        ++end;
      auto colon = text.substr(start, end - start).find(':');
      if (end < text.size() && text[end] == '@' && colon != std::string_view::npos) {
        out.append(text.substr(i, 3 + colon + 1));
        out += "***@";
        i = end + 1;
        continue;
      }
    }
    // libpq keyword form (password=...), also as a URL query parameter (?password=...)
    if (text.compare(i, 8, "password") == 0 && (i == 0 || !std::isalnum(static_cast<unsigned char>(
                                                             text[i - 1])))) {
      auto eq = i + 8;
      while (eq < text.size() && text[eq] == ' ')
        ++eq;
      if (eq < text.size() && text[eq] == '=') {
        auto value = eq + 1;
        while (value < text.size() && text[value] == ' ')
          ++value;
        out += "password=***";
        i = end_of_conninfo_value(text, value);
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::string database_error_summary(std::string_view what) {
  auto first = what.substr(0, what.find('\n'));
  return redact_credentials(first);
}

} // namespace foresight
