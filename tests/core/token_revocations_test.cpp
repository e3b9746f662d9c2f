// Tests for token_revocations: a password change revokes the user's older tokens, no one else's.
#include "core/token_revocations.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(token_revocation)

BOOST_AUTO_TEST_CASE(tokens_before_the_change_are_revoked_later_ones_and_others_are_not) {
  token_revocations r;
  BOOST_TEST(!r.revoked("alice", 100));
  r.password_changed("alice", 200);
  BOOST_TEST(r.revoked("alice", 199));
  BOOST_TEST(r.revoked("alice", 0), "a token without iat predates every change");
  BOOST_TEST(!r.revoked("alice", 200), "a login right after the change works");
  BOOST_TEST(!r.revoked("bob", 100));
  r.password_changed("alice", 150); // an older change read late never undoes a newer one
  BOOST_TEST(r.revoked("alice", 199));
}

BOOST_AUTO_TEST_SUITE_END()
