// The integration-test binary: real PostgreSQL, real foresightd processes, real HTTP.
#define BOOST_TEST_MODULE foresight_integration
#include <boost/test/unit_test.hpp>
