// The llm test binary: llm_client against the mock OpenAI server over real loopback HTTP.
#define BOOST_TEST_MODULE llm
#include <boost/test/unit_test.hpp>
