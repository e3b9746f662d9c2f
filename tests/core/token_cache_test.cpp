// Tests for token_cache: the same answers as jwt_verify, only verified tokens kept, expiry on hits.
#include "core/token_cache.hpp"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace foresight;

namespace {

const std::string secret = "token-cache-test-secret-0123456789abcdef";
constexpr std::int64_t t0 = 1700000000;

std::string token_for(const std::string& user, std::int64_t exp, const std::string& key = secret) {
  return jwt_sign({user, t0, exp}, key);
}

} // namespace

BOOST_AUTO_TEST_SUITE(token_caching)

BOOST_AUTO_TEST_CASE(a_verified_token_is_kept_and_answers_with_its_claims) {
  token_cache cache{secret};
  auto token = token_for("alice", t0 + 60);
  for (int i = 0; i < 3; ++i) {
    auto v = cache.verify(token, t0 + 1);
    BOOST_TEST(v.ok());
    BOOST_TEST(v.claims.subject == "alice");
    BOOST_TEST(v.claims.expires_at == t0 + 60);
  }
  BOOST_TEST(cache.size() == 1u);
  BOOST_TEST(cache.verify(token_for("bob", t0 + 60), t0 + 1).claims.subject == "bob");
  BOOST_TEST(cache.size() == 2u);
}

BOOST_AUTO_TEST_CASE(refused_tokens_are_never_kept_and_get_jwt_verify_s_reason) {
  token_cache cache{secret};
  auto good = token_for("alice", t0 + 60);
  cache.verify(good, t0);
  auto tampered = good;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  for (const auto& bad : {tampered, token_for("alice", t0 + 60, std::string(40, 'x')),
                          token_for("alice", t0 - 1), std::string("not.a.token")}) {
    auto v = cache.verify(bad, t0);
    BOOST_TEST(!v.ok());
    BOOST_TEST(static_cast<int>(v.error) == static_cast<int>(jwt_verify(bad, secret, t0).error));
    BOOST_TEST(v.claims.subject.empty());
  }
  BOOST_TEST(cache.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_kept_token_expires_at_its_exp) {
  token_cache cache{secret};
  auto token = token_for("alice", t0 + 60);
  BOOST_TEST(cache.verify(token, t0 + 59).ok());
  auto late = cache.verify(token, t0 + 60);
  BOOST_TEST(!late.ok());
  BOOST_TEST(to_string(late.error) == std::string("expired"));
  BOOST_TEST(cache.size() == 0u);
}

BOOST_AUTO_TEST_CASE(it_holds_no_more_than_its_byte_budget) {
  auto one = token_for("user-0", t0 + 60).size();
  token_cache cache{secret, one * 10};
  for (int i = 0; i < 100; ++i)
    BOOST_TEST(cache.verify(token_for("user-" + std::to_string(i % 10 + 10), t0 + 60), t0).ok());
  BOOST_TEST(cache.size() <= 10u);
  BOOST_TEST(cache.size() >= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
