// Request framing rules Beast leaves to the server: which Transfer-Encoding heads may carry a
// body (RFC 9112 section 6). Pure, so it is unit-tested without sockets.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

/// Why a request head cannot frame its body safely; empty when it can. `transfer_encodings`
/// holds every Transfer-Encoding field value in order. Only `chunked` alone is accepted: with any
/// other coding last the body's length is unknown (RFC 9112 section 6.3: 400, then close), other
/// codings before it are not implemented, and with Content-Length beside it two parsers may
/// disagree on where the request ends.
std::string framing_problem(const std::vector<std::string_view>& transfer_encodings,
                            bool has_content_length);

/// True if a request that framing_problem lets through must still not be followed by another on
/// its connection: a GET or HEAD with framing headers (a body without defined meaning, which a
/// proxy may not have read as one) or repeated Content-Length fields (equal, or Beast would have
/// refused them). The answer then closes the connection, so nothing after it is read.
bool framing_needs_close(std::string_view method, bool has_transfer_encoding,
                         std::size_t content_length_fields);

/// True for a field name that is not Transfer-Encoding or Content-Length but reads as one when
/// case and punctuation are ignored (`Transfer_Encoding`, `Content.Length`): a proxy in front
/// may take it for the real one, so the request is refused rather than served without a body.
bool is_framing_lookalike(std::string_view name);

} // namespace foresight
