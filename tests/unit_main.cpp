// The unit-test binary's entry point; each suite is registered with ctest separately.
#define BOOST_TEST_MODULE foresight_unit
#include <boost/test/unit_test.hpp>
