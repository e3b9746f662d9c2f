#include "core/display_text.hpp"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(display_text)

BOOST_AUTO_TEST_CASE(plain_lines_pass) {
  BOOST_TEST(is_displayable_text("Revenue by region for last quarter"));
  BOOST_TEST(is_displayable_text("P&L (EUR) vs. plan: 10% up?"));
  BOOST_TEST(is_displayable_text("Umsatz nach Region – Ü, é, 東京, 📈"));
  BOOST_TEST(is_displayable_text(std::string(200, 'a')));
}

// Issue 14, item 10: an LLM's description reached clients verbatim.
BOOST_AUTO_TEST_CASE(controls_format_characters_markup_and_overlong_text_do_not) {
  BOOST_TEST(!is_displayable_text(""));
  BOOST_TEST(!is_displayable_text("   "));
  BOOST_TEST(!is_displayable_text(std::string(201, 'a')));
  BOOST_TEST(!is_displayable_text("abc", 2));
  BOOST_TEST(!is_displayable_text("line\nbreak"));
  BOOST_TEST(!is_displayable_text("tab\there"));
  BOOST_TEST(!is_displayable_text("bell\x07"));
  BOOST_TEST(!is_displayable_text("del\x7f"));
  BOOST_TEST(!is_displayable_text("c1 \xc2\x85 next line"));
  BOOST_TEST(!is_displayable_text(std::string("nul\0x", 5)));
  BOOST_TEST(!is_displayable_text("\xe2\x80\xae" "desrever"));  // U+202E right-to-left override
  BOOST_TEST(!is_displayable_text("zero\xe2\x80\x8bwidth"));      // U+200B
  BOOST_TEST(!is_displayable_text("isolate \xe2\x81\xa6x"));      // U+2066
  BOOST_TEST(!is_displayable_text("\xef\xbb\xbf" "bom"));         // U+FEFF
  BOOST_TEST(!is_displayable_text("bad \xff utf-8"));
  BOOST_TEST(!is_displayable_text("<script>alert(1)</script>"));
  BOOST_TEST(!is_displayable_text("<img src=x onerror=alert(1)>"));
  BOOST_TEST(!is_displayable_text("[click](https://evil.example)"));
  BOOST_TEST(!is_displayable_text("**bold** claim"));
  BOOST_TEST(!is_displayable_text("`rm -rf /`"));
  BOOST_TEST(!is_displayable_text("top {N} products"));
  BOOST_TEST(!is_displayable_text("back\\slash"));
}

BOOST_AUTO_TEST_SUITE_END()
