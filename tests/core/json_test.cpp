#include "core/json_writer.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(json)

BOOST_AUTO_TEST_CASE(commas_are_placed_between_members_and_elements) {
  json_writer w;
  w.begin_object().key("a").value(1).key("b").begin_array().value("x").value(true).null().end_array();
  w.key("c").begin_object().end_object().key("d").raw(R"({"k":[1,2]})").end_object();
  BOOST_TEST(w.str() == R"({"a":1,"b":["x",true,null],"c":{},"d":{"k":[1,2]}})");
}

BOOST_AUTO_TEST_CASE(strings_are_escaped_and_utf8_passes_through) {
  std::string out;
  append_json_string(out, std::string("q\"b\\n\n\t\x01 \xF0\x9F\x98\x80", 13));
  BOOST_TEST(out == "\"q\\\"b\\\\n\\n\\t\\u0001 \xF0\x9F\x98\x80\"");
}

BOOST_AUTO_TEST_CASE(doubles_use_the_shortest_round_trip_form) {
  json_writer w;
  w.begin_array().value(0.96).value(0.245).value(1.0 / 0.0).end_array();
  BOOST_TEST(w.str() == "[0.96,0.245,null]");
}

BOOST_AUTO_TEST_SUITE_END()
