#include "http/framing.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(framing)

BOOST_AUTO_TEST_CASE(no_transfer_encoding_or_chunked_alone_frames_the_body) {
  BOOST_TEST(framing_problem({}, false).empty());
  BOOST_TEST(framing_problem({}, true).empty());
  BOOST_TEST(framing_problem({"chunked"}, false).empty());
  BOOST_TEST(framing_problem({"Chunked"}, false).empty());
  BOOST_TEST(framing_problem({" chunked\t"}, false).empty());
  BOOST_TEST(framing_problem({", chunked ,"}, false).empty());
}

// Issue 14, item 6: `gzip` alone was read as a request without a body, and the body then ran as
// a second, pipelined request.
BOOST_AUTO_TEST_CASE(anything_else_is_refused) {
  BOOST_TEST(!framing_problem({"gzip"}, false).empty());
  BOOST_TEST(!framing_problem({"chunked, gzip"}, false).empty());
  BOOST_TEST(!framing_problem({"chunked", "gzip"}, false).empty());
  BOOST_TEST(!framing_problem({"gzip, chunked"}, false).empty());
  BOOST_TEST(!framing_problem({"gzip", "chunked"}, false).empty());
  BOOST_TEST(!framing_problem({"chunked, chunked"}, false).empty());
  BOOST_TEST(!framing_problem({"chunked;ext=1"}, false).empty());
  BOOST_TEST(!framing_problem({"identity"}, false).empty());
  BOOST_TEST(!framing_problem({"xchunked"}, false).empty());
  BOOST_TEST(!framing_problem({""}, false).empty());
  BOOST_TEST(!framing_problem({" , "}, false).empty());
  BOOST_TEST(framing_problem({"chunked"}, true) == "Transfer-Encoding and Content-Length together");
  BOOST_TEST(!framing_problem({"gzip"}, true).empty());
}

// http-desync "UndefinedContentLengthSemantics" and "DuplicateContentLength": served, then closed.
BOOST_AUTO_TEST_CASE(bodies_on_get_and_repeated_lengths_close_the_connection_after_the_answer) {
  BOOST_TEST(framing_needs_close("GET", false, 1));
  BOOST_TEST(framing_needs_close("HEAD", true, 0));
  BOOST_TEST(framing_needs_close("POST", false, 2));
  BOOST_TEST(!framing_needs_close("GET", false, 0));
  BOOST_TEST(!framing_needs_close("POST", false, 1));
  BOOST_TEST(!framing_needs_close("PUT", true, 0));
}

// http-desync "SuspiciousHeader": a proxy may read these as the real framing header.
BOOST_AUTO_TEST_CASE(names_that_mimic_a_framing_header_are_lookalikes) {
  BOOST_TEST(is_framing_lookalike("Transfer_Encoding"));
  BOOST_TEST(is_framing_lookalike("Content_Length"));
  BOOST_TEST(is_framing_lookalike("content.length"));
  BOOST_TEST(is_framing_lookalike("TransferEncoding"));
  BOOST_TEST(!is_framing_lookalike("Transfer-Encoding"));
  BOOST_TEST(!is_framing_lookalike("content-length"));
  BOOST_TEST(!is_framing_lookalike("X-Content-Length"));
  BOOST_TEST(!is_framing_lookalike("Content-Type"));
}

BOOST_AUTO_TEST_SUITE_END()
