// Tests for redaction: credentials in URLs and conninfo strings, and PostgreSQL's quoted data.
#include "core/redact.hpp"

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(redact)

BOOST_AUTO_TEST_CASE(url_passwords_are_replaced_and_the_rest_kept) {
  BOOST_TEST(redact_credentials("postgresql://app:s3cr%40t@db.example:5432/x?sslmode=require") ==
             "postgresql://app:***@db.example:5432/x?sslmode=require");
  BOOST_TEST(redact_credentials("cannot reach postgres://app@db/x") ==
             "cannot reach postgres://app@db/x");
  BOOST_TEST(redact_credentials("https://api.example/v1") == "https://api.example/v1");
  BOOST_TEST(redact_credentials("postgresql://db/x?user=a&password=hunter22&sslmode=require") ==
             "postgresql://db/x?user=a&password=***&sslmode=require");
}

BOOST_AUTO_TEST_CASE(keyword_passwords_are_replaced_quoted_or_not) {
  BOOST_TEST(redact_credentials("host=db password=hunter22 dbname=x") ==
             "host=db password=*** dbname=x");
  BOOST_TEST(redact_credentials("host=db password = 'a b\\' c' dbname=x") ==
             "host=db password=*** dbname=x");
  BOOST_TEST(redact_credentials("password authentication failed for user \"x\"") ==
             "password authentication failed for user \"x\"");
  BOOST_TEST(redact_credentials("passfile=/var/pgpass") == "passfile=/var/pgpass");
}

BOOST_AUTO_TEST_CASE(database_errors_keep_only_the_primary_message) {
  std::string what = "ERROR:  unsupported Unicode escape sequence\n"
                     "DETAIL:  \\u0000 cannot be converted to text.\n"
                     "CONTEXT:  JSON data, line 1: {\"card\":\"4111 1111\\u0000...\n";
  BOOST_TEST(database_error_summary(what) == "ERROR:  unsupported Unicode escape sequence");
}

BOOST_AUTO_TEST_SUITE_END()
