// Base64 codecs (RFC 4648): the URL-safe alphabet for JWTs and the standard one for password hashes.
// Decoders are strict so that every byte string has exactly one accepted encoding.
#pragma once
#include <string>
#include <string_view>

namespace foresight {

/// Encodes `bytes` with the URL-safe alphabet (`-`, `_`) and no `=` padding (RFC 4648 section 5).
std::string base64url_encode(std::string_view bytes);

/// Decodes unpadded base64url into `out` (replaced, not appended to). Returns false, leaving `out`
/// unspecified, on any character outside A-Z a-z 0-9 - _ (so also on `=` and whitespace), on a
/// length with `size % 4 == 1`, or on non-zero unused bits in the last character.
bool base64url_decode(std::string_view text, std::string& out);

/// Encodes `bytes` with the standard alphabet (`+`, `/`) and `=` padding to a multiple of 4.
std::string base64_encode(std::string_view bytes);

/// Decodes padded standard base64 into `out` (replaced). Returns false on any character outside
/// the alphabet, a length that is not a multiple of 4, misplaced or missing `=`, or non-zero
/// unused bits before the padding.
bool base64_decode(std::string_view text, std::string& out);

} // namespace foresight
