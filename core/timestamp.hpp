// ISO 8601 timestamps (UTC) to and from seconds since the Unix epoch. Pure, strict: only the
// forms `YYYY-MM-DDTHH:MM:SS[.f...](Z|+hh:mm|-hh:mm)` are accepted, nothing else (no lower-case
// `t`/`z`, no space separator, no missing seconds, no `+hhmm`, no leap second).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace foresight {

/// Parses a strict ISO 8601 timestamp (year 0001-9999) into whole seconds since the epoch, UTC
/// (fractional seconds are dropped, rounding towards the past). False on anything else.
bool parse_iso8601(std::string_view text, std::int64_t& epoch_seconds);

/// The same, keeping milliseconds (further digits are dropped, rounding towards the past).
bool parse_iso8601_ms(std::string_view text, std::int64_t& epoch_ms);

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (UTC).
std::string format_iso8601(std::int64_t epoch_seconds);

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since the epoch (UTC): the form the database
/// hands timestamps back in.
std::string format_iso8601_ms(std::int64_t epoch_ms);

} // namespace foresight
