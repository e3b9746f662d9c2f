#include "core/timestamp.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

namespace {

std::int64_t secs(std::string_view s) {
  std::int64_t v = -1;
  BOOST_TEST_REQUIRE(parse_iso8601(s, v), s);
  return v;
}

std::int64_t millis(std::string_view s) {
  std::int64_t v = -1;
  BOOST_TEST_REQUIRE(parse_iso8601_ms(s, v), s);
  return v;
}

bool rejects(std::string_view s) {
  std::int64_t v = 0;
  return !parse_iso8601(s, v) && !parse_iso8601_ms(s, v);
}

} // namespace

BOOST_AUTO_TEST_SUITE(timestamp)

BOOST_AUTO_TEST_CASE(utc_timestamps_parse_to_epoch_seconds) {
  BOOST_TEST(secs("1970-01-01T00:00:00Z") == 0);
  BOOST_TEST(secs("1970-01-01T00:00:01Z") == 1);
  BOOST_TEST(secs("2026-01-05T09:14:00Z") == 1767604440);
  BOOST_TEST(secs("2000-02-29T23:59:59Z") == 951868799);
  BOOST_TEST(secs("1969-12-31T23:59:59Z") == -1);
  BOOST_TEST(secs("0001-01-01T00:00:00Z") == -62135596800);
  BOOST_TEST(secs("9999-12-31T23:59:59Z") == 253402300799);
}

BOOST_AUTO_TEST_CASE(offsets_move_the_instant_to_utc) {
  BOOST_TEST(secs("2026-01-05T10:14:00+01:00") == secs("2026-01-05T09:14:00Z"));
  BOOST_TEST(secs("2026-01-05T04:44:00-04:30") == secs("2026-01-05T09:14:00Z"));
  BOOST_TEST(secs("2026-01-01T00:30:00+01:00") == secs("2025-12-31T23:30:00Z"));
  BOOST_TEST(secs("2026-01-05T09:14:00+00:00") == secs("2026-01-05T09:14:00Z"));
}

BOOST_AUTO_TEST_CASE(fractional_seconds_are_kept_to_the_millisecond) {
  BOOST_TEST(millis("2026-01-05T09:14:00.5Z") == 1767604440500);
  BOOST_TEST(millis("2026-01-05T09:14:00.123Z") == 1767604440123);
  BOOST_TEST(millis("2026-01-05T09:14:00.123456789Z") == 1767604440123);
  BOOST_TEST(secs("2026-01-05T09:14:00.999Z") == 1767604440);
  // Before the epoch, whole seconds still round towards the past.
  BOOST_TEST(millis("1969-12-31T23:59:59.250Z") == -750);
  BOOST_TEST(secs("1969-12-31T23:59:59.250Z") == -1);
}

BOOST_AUTO_TEST_CASE(everything_else_is_rejected) {
  for (auto bad : {"", "2026-01-05", "2026-01-05T09:14Z", "2026-01-05T09:14:00",
                   "2026-01-05 09:14:00Z", "2026-01-05t09:14:00Z", "2026-01-05T09:14:00z",
                   "2026-01-05T09:14:00+0100", "2026-01-05T09:14:00+01", "2026-01-05T09:14:00.Z",
                   "2026-01-05T09:14:00.1234567890Z", "2026-13-01T00:00:00Z",
                   "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                   "2026-01-05T24:00:00Z", "2026-01-05T09:60:00Z", "2026-01-05T09:14:60Z",
                   "0000-01-01T00:00:00Z", "26-01-05T09:14:00Z", "+2026-01-05T09:14:00Z",
                   "2026-01-05T09:14:00Z ", " 2026-01-05T09:14:00Z", "2026-01-05T09:14:00ZZ",
                   "2026-01-05T09:14:00+24:00", "2026-01-05T09:14:00+01:60",
                   "2026/01/05T09:14:00Z", "yesterday", "1767604440", "2026-1-5T9:14:00Z"})
    BOOST_TEST(rejects(bad), bad);
  BOOST_TEST(rejects(std::string_view("2026-01-05T09:14:00Z\0", 21)));
}

BOOST_AUTO_TEST_CASE(formatting_round_trips) {
  BOOST_TEST(format_iso8601(0) == "1970-01-01T00:00:00Z");
  BOOST_TEST(format_iso8601(1767604440) == "2026-01-05T09:14:00Z");
  BOOST_TEST(format_iso8601(-1) == "1969-12-31T23:59:59Z");
  BOOST_TEST(format_iso8601(951868799) == "2000-02-29T23:59:59Z");
  BOOST_TEST(format_iso8601_ms(1767604440123) == "2026-01-05T09:14:00.123Z");
  BOOST_TEST(format_iso8601_ms(-750) == "1969-12-31T23:59:59.250Z");
  BOOST_TEST(format_iso8601(secs("2026-01-05T10:14:00.9+01:00")) == "2026-01-05T09:14:00Z");
  // Every day of four years (a leap year among them) survives the round trip.
  for (std::int64_t t = secs("2023-12-31T12:00:00Z"); t < secs("2028-01-02T00:00:00Z");
       t += 86400 + 61)
    BOOST_TEST(secs(format_iso8601(t)) == t);
}

BOOST_AUTO_TEST_SUITE_END()
