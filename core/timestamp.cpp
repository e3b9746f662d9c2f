// ISO 8601 parsing and formatting with the civil-calendar arithmetic of H. Hinnant's
// days_from_civil / civil_from_days (proleptic Gregorian calendar, no time zone database).
#include "core/timestamp.hpp"

#include <cstdio>

namespace foresight {

namespace {

constexpr std::int64_t seconds_per_day = 86400;

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

bool leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

/// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

} // namespace

bool parse_iso8601_ms(std::string_view s, std::int64_t& epoch_ms) {
  // YYYY-MM-DDTHH:MM:SS is 19 characters.
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (s.size() < 20 || !digits(s, 0, 4, year) || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || s[10] != 'T' || !digits(s, 11, 2, hour) ||
      s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second))
    return false;
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)) ||
      hour > 23 || minute > 59 || second > 59)
    return false;
  std::size_t pos = 19;
  int millis = 0;
  if (s[pos] == '.') {
    std::size_t first = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - first < 3)
        millis = millis * 10 + (s[pos] - '0');
      ++pos;
    }
    auto n = pos - first;
    if (n == 0 || n > 9)
      return false;
    for (auto k = n; k < 3; ++k)
      millis *= 10;
  }
  if (pos >= s.size())
    return false;
  std::int64_t offset_minutes = 0;
  if (s[pos] == 'Z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return false;
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size())
    return false;
  auto days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  auto secs = days * seconds_per_day + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  epoch_ms = secs * 1000 + millis;
  return true;
}

bool parse_iso8601(std::string_view text, std::int64_t& epoch_seconds) {
  std::int64_t ms = 0;
  if (!parse_iso8601_ms(text, ms))
    return false;
  epoch_seconds = floor_div(ms, 1000);
  return true;
}

std::string format_iso8601(std::int64_t epoch_seconds) {
  auto days = floor_div(epoch_seconds, seconds_per_day);
  auto rest = epoch_seconds - days * seconds_per_day;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  return buf;
}

std::string format_iso8601_ms(std::int64_t epoch_ms) {
  auto secs = floor_div(epoch_ms, 1000);
  auto millis = epoch_ms - secs * 1000;
  auto out = format_iso8601(secs);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(millis));
  out.insert(out.size() - 1, frac);
  return out;
}

} // namespace foresight
