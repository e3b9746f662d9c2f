#include "http/connection_limits.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;
using verdict = connection_limits::verdict;

BOOST_AUTO_TEST_SUITE(connection_caps)

BOOST_AUTO_TEST_CASE(each_address_gets_its_cap_and_a_closed_connection_frees_its_slot) {
  connection_limits l{5, 2};
  BOOST_TEST((l.admit("10.0.0.1") == verdict::admitted));
  BOOST_TEST((l.admit("10.0.0.1") == verdict::admitted));
  BOOST_TEST((l.admit("10.0.0.1") == verdict::over_address));
  BOOST_TEST((l.admit("10.0.0.2") == verdict::admitted));
  BOOST_TEST(l.open() == 3u);
  l.release("10.0.0.1");
  BOOST_TEST((l.admit("10.0.0.1") == verdict::admitted));
  BOOST_TEST(l.open() == 3u);
}

BOOST_AUTO_TEST_CASE(the_total_cap_holds_across_addresses) {
  connection_limits l{3, 2};
  BOOST_TEST((l.admit("a") == verdict::admitted));
  BOOST_TEST((l.admit("b") == verdict::admitted));
  BOOST_TEST((l.admit("c") == verdict::admitted));
  BOOST_TEST((l.admit("d") == verdict::over_total));
  l.release("b");
  BOOST_TEST((l.admit("d") == verdict::admitted));
  l.release("never-admitted"); // ignored, counts stay right
  BOOST_TEST(l.open() == 3u);
}

BOOST_AUTO_TEST_CASE(zero_means_no_cap) {
  connection_limits l{0, 0};
  for (int i = 0; i < 1000; ++i)
    BOOST_TEST((l.admit("a") == verdict::admitted));
  BOOST_TEST(l.open() == 1000u);
}

BOOST_AUTO_TEST_CASE(the_default_total_cap_leaves_descriptors_for_everything_else) {
  BOOST_TEST(effective_connection_cap(100, 128, 64) == 100u); // as configured, even above
  BOOST_TEST(effective_connection_cap(0, 1024, 96) == 928u);
  BOOST_TEST(effective_connection_cap(0, 128, 96) == 32u);
  BOOST_TEST(effective_connection_cap(0, 64, 96) == 16u);
}

BOOST_AUTO_TEST_CASE(ipv4_counts_by_address_and_ipv6_by_its_64) {
  BOOST_TEST(connection_address_key({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7}) ==
             "192.0.2.7");
  std::array<unsigned char, 16> a = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  auto b = a;
  b[15] = 0xfe;
  b[9] = 0x42;
  BOOST_TEST(connection_address_key(a) == "2001:db8:0:1::/64");
  BOOST_TEST(connection_address_key(a) == connection_address_key(b));
  b[7] = 2; // another /64
  BOOST_TEST(connection_address_key(b) == "2001:db8:0:2::/64");
  BOOST_TEST(connection_address_key({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}) ==
             "0:0:0:0::/64"); // ::1
}

BOOST_AUTO_TEST_SUITE_END()
