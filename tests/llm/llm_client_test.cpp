// llm_client against the mock OpenAI server over real loopback HTTP: the request it sends,
// retries and backoff, deadlines, the circuit breaker, the concurrency cap and shutdown; and over
// HTTPS to the mock's TLS mode: certificate and host name verification.
#include <boost/test/unit_test.hpp>
#include <simdjson.h>

#include <future>
#include <thread>

#include "llm/llm_client.hpp"
#include "tests/support/mock_openai.hpp"

using namespace foresight;
using foresight::testing::mock_behavior;
using foresight::testing::mock_openai;
using foresight::testing::mock_tls;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

llm_settings settings_for(const mock_openai& mock) {
  llm_settings s;
  s.base_url = mock.base_url();
  s.api_key = "test-key";
  s.backoff_base_ms = 20;
  s.max_attempts = 3;
  return s;
}

llm_request within(std::chrono::milliseconds budget) {
  llm_request r;
  r.system_prompt = "You suggest next steps as JSON.";
  r.user_prompt = "What next?";
  r.deadline = steady::now() + budget;
  return r;
}

/// Starts a call; the promise is shared so a late callback never outlives it.
std::future<llm_reply> start(llm_client& client, llm_request r) {
  auto p = std::make_shared<std::promise<llm_reply>>();
  auto f = p->get_future();
  client.complete(std::move(r), [p](llm_reply reply) { p->set_value(std::move(reply)); });
  return f;
}

llm_reply wait(std::future<llm_reply>& f) {
  BOOST_REQUIRE(f.wait_for(10s) == std::future_status::ready);
  return f.get();
}

llm_reply call(llm_client& client, llm_request r) {
  auto f = start(client, std::move(r));
  return wait(f);
}

long ms_since(steady::time_point t0) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t0).count());
}

} // namespace

BOOST_AUTO_TEST_SUITE(llm_client)

BOOST_AUTO_TEST_CASE(ok_reply_and_request_shape) {
  mock_openai mock;
  const std::string content = R"({"suggestions":["walk"]})";
  mock.respond_with({mock_behavior::ok, content});
  foresight::llm_client client(settings_for(mock));

  auto r = within(2s);
  r.user_prompt = "quote \" backslash \\ newline \n tab \t ctrl \x01 utf-8 \xc3\xa9 \xe2\x9c\x93";
  auto reply = call(client, r);

  BOOST_TEST(reply.ok);
  BOOST_TEST(!reply.refused);
  BOOST_TEST(reply.content == content);
  BOOST_TEST(reply.attempts == 1);
  auto body = mock.last_body();
  BOOST_TEST(reply.prompt_tokens == static_cast<std::int64_t>(body.size() / 4));
  BOOST_TEST(reply.completion_tokens == static_cast<std::int64_t>(content.size() / 4));
  BOOST_TEST(mock.last_authorization() == "Bearer test-key");
  BOOST_TEST(body.find("\\u0001") != std::string::npos);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  BOOST_REQUIRE(!parser.parse(body).get(doc));
  BOOST_TEST(std::string(doc["model"].get_string().value()) == "gpt-4o-mini");
  BOOST_TEST(doc["max_tokens"].get_int64().value() == 400);
  BOOST_TEST(doc["temperature"].get_double().value() == 0.7);
  BOOST_TEST(std::string(doc.at_pointer("/response_format/type").get_string().value()) == "json_object");
  BOOST_TEST(doc["messages"].get_array().size() == 2u);
  BOOST_TEST(std::string(doc.at_pointer("/messages/0/role").get_string().value()) == "system");
  BOOST_TEST(std::string(doc.at_pointer("/messages/0/content").get_string().value()) == r.system_prompt);
  BOOST_TEST(std::string(doc.at_pointer("/messages/1/role").get_string().value()) == "user");
  BOOST_TEST(std::string(doc.at_pointer("/messages/1/content").get_string().value()) == r.user_prompt);

  auto c = client.counters();
  BOOST_TEST(c.calls == 1);
  BOOST_TEST(c.attempts == 1);
  BOOST_TEST(c.successes == 1);
  BOOST_TEST(c.errors == 0);
  BOOST_TEST(c.tokens_in == reply.prompt_tokens);
  BOOST_TEST(c.tokens_out == reply.completion_tokens);
  BOOST_TEST(c.in_flight == 0);
  BOOST_TEST(c.breaker == "closed");
}

BOOST_AUTO_TEST_CASE(no_key_no_authorization_header) {
  mock_openai mock;
  auto s = settings_for(mock);
  s.api_key.clear();
  foresight::llm_client client(s);
  BOOST_TEST(call(client, within(2s)).ok);
  BOOST_TEST(mock.last_authorization().empty());
}

BOOST_AUTO_TEST_CASE(rate_limited_then_ok_honours_retry_after) {
  mock_openai mock;
  mock.then({mock_behavior::rate_limited, "", 0, 1});
  foresight::llm_client client(settings_for(mock));

  auto t0 = steady::now();
  auto reply = call(client, within(5s));
  BOOST_TEST(reply.ok);
  BOOST_TEST(reply.attempts == 2);
  BOOST_TEST(ms_since(t0) >= 950);
  BOOST_TEST(mock.requests() == 2);
  BOOST_TEST(client.counters().retries == 1);
}

BOOST_AUTO_TEST_CASE(server_errors_then_ok) {
  mock_openai mock;
  mock.then({mock_behavior::server_error, ""});
  mock.then({mock_behavior::server_error, ""});
  foresight::llm_client client(settings_for(mock));

  auto reply = call(client, within(2s));
  BOOST_TEST(reply.ok);
  BOOST_TEST(reply.attempts == 3);
  BOOST_TEST(mock.requests() == 3);
}

BOOST_AUTO_TEST_CASE(persistent_server_error_fails_after_max_attempts) {
  mock_openai mock;
  mock.respond_with({mock_behavior::server_error, ""});
  foresight::llm_client client(settings_for(mock));

  auto reply = call(client, within(2s));
  BOOST_TEST(!reply.ok);
  BOOST_TEST(!reply.refused);
  BOOST_TEST(reply.error == "http 500");
  BOOST_TEST(reply.attempts == 3);
  BOOST_TEST(mock.requests() == 3);
  auto c = client.counters();
  BOOST_TEST(c.errors == 1);
  BOOST_TEST(c.attempts == 3);
  BOOST_TEST(c.retries == 2);
}

BOOST_AUTO_TEST_CASE(not_json_is_a_bad_reply_without_retry) {
  mock_openai mock;
  mock.respond_with({mock_behavior::not_json, ""});
  foresight::llm_client client(settings_for(mock));

  auto reply = call(client, within(2s));
  BOOST_TEST(!reply.ok);
  BOOST_TEST(reply.error == "bad reply");
  BOOST_TEST(reply.attempts == 1);
  BOOST_TEST(mock.requests() == 1);
}

BOOST_AUTO_TEST_CASE(other_4xx_fails_at_once) {
  mock_openai mock;
  auto s = settings_for(mock);
  s.base_url = "http://127.0.0.1:" + std::to_string(mock.port()) + "/nowhere"; // the mock's 404
  foresight::llm_client client(s);

  auto reply = call(client, within(2s));
  BOOST_TEST(!reply.ok);
  BOOST_TEST(reply.error == "http 404");
  BOOST_TEST(reply.attempts == 1);
}

BOOST_AUTO_TEST_CASE(slow_reply_times_out_at_the_deadline) {
  mock_openai mock;
  mock.respond_with({mock_behavior::slow, "{}", 2000});
  foresight::llm_client client(settings_for(mock));

  auto t0 = steady::now();
  auto reply = call(client, within(300ms));
  auto took = ms_since(t0);
  BOOST_TEST(!reply.ok);
  BOOST_TEST(reply.error == "timeout");
  BOOST_TEST(took >= 280);
  BOOST_TEST(took < 550);
}

BOOST_AUTO_TEST_CASE(retry_after_beyond_the_deadline_fails_at_once) {
  mock_openai mock;
  mock.respond_with({mock_behavior::rate_limited, "", 0, 5});
  foresight::llm_client client(settings_for(mock));

  auto t0 = steady::now();
  auto reply = call(client, within(1s));
  BOOST_TEST(!reply.ok);
  BOOST_TEST(reply.error == "http 429");
  BOOST_TEST(reply.attempts == 1);
  BOOST_TEST(ms_since(t0) < 500);
}

BOOST_AUTO_TEST_CASE(breaker_opens_refuses_and_closes_after_a_trial) {
  mock_openai mock;
  mock.respond_with({mock_behavior::server_error, ""});
  auto s = settings_for(mock);
  s.max_attempts = 1;
  s.breaker_failures = 2;
  s.breaker_open_ms = 300;
  foresight::llm_client client(s);

  BOOST_TEST(!call(client, within(2s)).ok);
  BOOST_TEST(client.counters().breaker == "closed");
  BOOST_TEST(!call(client, within(2s)).ok);
  BOOST_TEST(client.counters().breaker == "open");

  auto refused = call(client, within(2s));
  BOOST_TEST(refused.refused);
  BOOST_TEST(refused.error == "circuit open");
  BOOST_TEST(refused.attempts == 0);
  BOOST_TEST(mock.requests() == 2);

  std::this_thread::sleep_for(350ms);
  mock.respond_with({mock_behavior::slow, R"({"ok":true})", 200});
  auto trial = start(client, within(2s));
  BOOST_TEST(client.counters().breaker == "half_open");
  auto second = call(client, within(2s)); // only one trial at a time
  BOOST_TEST(second.refused);
  BOOST_TEST(second.error == "circuit open");

  BOOST_TEST(wait(trial).ok);
  BOOST_TEST(client.counters().breaker == "closed");
  mock.respond_with({mock_behavior::ok, "{}"});
  BOOST_TEST(call(client, within(2s)).ok);
  auto c = client.counters();
  BOOST_TEST(c.refused == 2);
  BOOST_TEST(c.calls == 4);
}

BOOST_AUTO_TEST_CASE(failed_trial_reopens_the_breaker) {
  mock_openai mock;
  mock.respond_with({mock_behavior::server_error, ""});
  auto s = settings_for(mock);
  s.max_attempts = 1;
  s.breaker_failures = 1;
  s.breaker_open_ms = 200;
  foresight::llm_client client(s);

  BOOST_TEST(!call(client, within(2s)).ok);
  BOOST_TEST(client.counters().breaker == "open");
  std::this_thread::sleep_for(250ms);
  auto trial = call(client, within(2s));
  BOOST_TEST(!trial.refused);
  BOOST_TEST(trial.error == "http 500");
  BOOST_TEST(client.counters().breaker == "open");
  BOOST_TEST(call(client, within(2s)).error == "circuit open");
  BOOST_TEST(mock.requests() == 2);
}

BOOST_AUTO_TEST_CASE(concurrency_cap_refuses_extra_calls) {
  mock_openai mock;
  mock.respond_with({mock_behavior::slow, "{}", 300});
  auto s = settings_for(mock);
  s.max_concurrent = 2;
  foresight::llm_client client(s);

  auto a = start(client, within(2s));
  auto b = start(client, within(2s));
  auto extra = call(client, within(2s)); // refused synchronously
  BOOST_TEST(extra.refused);
  BOOST_TEST(extra.error == "too many concurrent calls");
  auto c = client.counters();
  BOOST_TEST(c.in_flight == 2);
  BOOST_TEST(c.refused == 1);
  BOOST_TEST(wait(a).ok);
  BOOST_TEST(wait(b).ok);
  BOOST_TEST(client.counters().in_flight == 0);
}

BOOST_AUTO_TEST_CASE(base_url_rules) {
  auto with_url = [](std::string url) {
    llm_settings s;
    s.base_url = std::move(url);
    return s;
  };
  BOOST_CHECK_THROW(foresight::llm_client(with_url("http://example.com/v1")), std::invalid_argument);
  BOOST_CHECK_THROW(foresight::llm_client(with_url("http://10.0.0.1:8080/v1")), std::invalid_argument);
  BOOST_CHECK_THROW(foresight::llm_client(with_url("ftp://127.0.0.1/v1")), std::invalid_argument);
  BOOST_CHECK_THROW(foresight::llm_client(with_url("127.0.0.1/v1")), std::invalid_argument);
  BOOST_CHECK_THROW(foresight::llm_client(with_url("https:///v1")), std::invalid_argument);
  BOOST_CHECK_THROW(foresight::llm_client(with_url("http://127.0.0.1:99999/v1")), std::invalid_argument);
  BOOST_CHECK_NO_THROW(foresight::llm_client(with_url("http://localhost:1/v1")));
  BOOST_CHECK_NO_THROW(foresight::llm_client(with_url("http://[::1]:8080/v1/")));
  BOOST_CHECK_NO_THROW(foresight::llm_client(with_url("https://api.openai.com/v1")));
}

BOOST_AUTO_TEST_CASE(https_without_a_tls_server_fails_cleanly) {
  mock_openai mock; // speaks plain HTTP only
  auto s = settings_for(mock);
  s.base_url = "https://127.0.0.1:" + std::to_string(mock.port()) + "/v1";
  foresight::llm_client client(s);

  auto reply = call(client, within(2s));
  BOOST_TEST_MESSAGE("https to a plain HTTP server: " << reply.error << " after " << reply.attempts
                                                      << " attempt(s)");
  BOOST_TEST(!reply.ok);
  BOOST_TEST(!reply.refused);
  BOOST_TEST(!reply.error.empty());
  BOOST_TEST(mock.requests() == 0);
}

BOOST_AUTO_TEST_CASE(https_with_the_mock_cert_as_ca_file) {
  mock_openai mock{mock_tls{}};
  const std::string content = R"({"suggestions":["tls"]})";
  mock.respond_with({mock_behavior::ok, content});
  BOOST_TEST(mock.base_url() == "https://localhost:" + std::to_string(mock.port()) + "/v1");
  auto s = settings_for(mock);
  s.ca_file = mock.ca_pem_path();
  foresight::llm_client client(s);

  auto t0 = steady::now();
  auto reply = call(client, within(2s));
  BOOST_TEST(reply.ok, "error: " << reply.error);
  BOOST_TEST(reply.content == content);
  BOOST_TEST(reply.attempts == 1);
  BOOST_TEST(reply.prompt_tokens == static_cast<std::int64_t>(mock.last_body().size() / 4));
  BOOST_TEST(reply.completion_tokens == static_cast<std::int64_t>(content.size() / 4));
  BOOST_TEST(mock.requests() == 1);
  BOOST_TEST(mock.last_authorization() == "Bearer test-key");
  BOOST_TEST(ms_since(t0) < 1000);
  auto c = client.counters();
  BOOST_TEST(c.successes == 1);
  BOOST_TEST(c.tokens_out == reply.completion_tokens);
}

BOOST_AUTO_TEST_CASE(https_to_an_ip_literal_matches_the_ip_san) {
  mock_openai mock{mock_tls{"127.0.0.1"}}; // no SNI for an IP; the IP: entry must match
  BOOST_TEST(mock.base_url() == "https://127.0.0.1:" + std::to_string(mock.port()) + "/v1");
  auto s = settings_for(mock);
  s.ca_file = mock.ca_pem_path();
  foresight::llm_client client(s);

  auto reply = call(client, within(2s));
  BOOST_TEST(reply.ok, "error: " << reply.error);
  BOOST_TEST(mock.requests() == 1);
}

BOOST_AUTO_TEST_CASE(https_host_name_mismatch_fails_before_any_request) {
  // The chain is trusted (ca_file), so only the host name check can reject it.
  mock_openai mock{mock_tls{"example.invalid"}};
  auto s = settings_for(mock);
  s.base_url = "https://localhost:" + std::to_string(mock.port()) + "/v1";
  s.ca_file = mock.ca_pem_path();
  foresight::llm_client client(s);

  auto t0 = steady::now();
  auto reply = call(client, within(2s));
  BOOST_TEST_MESSAGE("host name mismatch: " << reply.error);
  BOOST_TEST(!reply.ok);
  BOOST_TEST(!reply.refused);
  BOOST_TEST(reply.error.rfind("tls: ", 0) == 0, "error: " << reply.error);
  BOOST_TEST(reply.error.find("certificate verify failed") != std::string::npos, "error: " << reply.error);
  BOOST_TEST(mock.requests() == 0);
  // A verification failure will not heal: one attempt, no retries, no waiting for the deadline.
  BOOST_TEST(reply.attempts == 1);
  auto c = client.counters();
  BOOST_TEST(c.attempts == 1);
  BOOST_TEST(c.retries == 0);
  BOOST_TEST(c.errors == 1);
  BOOST_TEST(ms_since(t0) < 500);
}

BOOST_AUTO_TEST_CASE(https_self_signed_without_ca_file_fails_verification) {
  mock_openai mock{mock_tls{}};
  auto s = settings_for(mock); // no ca_file: the system store alone does not know the mock's cert
  foresight::llm_client client(s);

  auto t0 = steady::now();
  auto reply = call(client, within(2s));
  BOOST_TEST_MESSAGE("self-signed, no ca_file: " << reply.error);
  BOOST_TEST(!reply.ok);
  BOOST_TEST(reply.error.rfind("tls: ", 0) == 0, "error: " << reply.error);
  BOOST_TEST(reply.error.find("certificate verify failed") != std::string::npos, "error: " << reply.error);
  BOOST_TEST(reply.attempts == 1);
  BOOST_TEST(mock.requests() == 0);
  BOOST_TEST(ms_since(t0) < 500);
}

BOOST_AUTO_TEST_CASE(destructor_cancels_calls_in_flight) {
  mock_openai mock;
  mock.respond_with({mock_behavior::slow, "{}", 2000});
  auto client = std::make_unique<foresight::llm_client>(settings_for(mock));

  auto pending = start(*client, within(5s));
  auto t0 = steady::now();
  client.reset();
  BOOST_TEST(ms_since(t0) < 500);
  BOOST_REQUIRE(pending.wait_for(0s) == std::future_status::ready); // before the destructor returned
  auto reply = pending.get();
  BOOST_TEST(!reply.ok);
  BOOST_TEST(reply.error == "shutdown");
}

BOOST_AUTO_TEST_SUITE_END()
