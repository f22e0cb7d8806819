// The circuit breaker on its own: which failures look alike, the window, the probe delays.
#include "gate/circuit.h"

#include <gtest/gtest.h>

#include "gate/gate_test_util.h"

namespace sluice::gate_test {
namespace {

std::string sig(const Feedback& fb) { return std::string(signature_name(failure_signature(fb))); }

TEST(FailureSignature, HostWideFailuresLookAlike) {
  EXPECT_EQ(sig(http(401)), "http_401");
  EXPECT_EQ(sig(http(403)), "http_403");
  EXPECT_EQ(sig(http(429)), "http_429");
  for (int status : {500, 502, 503, 504, 599}) EXPECT_EQ(sig(http(status)), "http_5xx") << status;
  for (Reason r : {Reason::dns, Reason::connect, Reason::timeout, Reason::reset, Reason::truncated,
                   Reason::tls, Reason::network}) {
    EXPECT_EQ(sig(net(r)), "network") << reason_name(r);
  }
}

TEST(FailureSignature, PerObjectFailuresAndSuccessesDoNot) {
  EXPECT_EQ(sig(ok()), "");
  for (int status : {400, 404, 408, 410, 451}) EXPECT_EQ(sig(http(status)), "") << status;
  for (Reason r : {Reason::not_image, Reason::too_large, Reason::blocked_address, Reason::bad_url,
                   Reason::too_many_redirects, Reason::gate_refused, Reason::cancelled,
                   Reason::bad_key, Reason::store_io}) {
    EXPECT_EQ(sig(net(r)), "") << reason_name(r);
  }
}

TEST(FailureSignature, StatusAloneIsEnoughWithoutAReason) {
  EXPECT_EQ(sig(Feedback{ErrorClass::permanent, 403, 0}), "http_403");
  EXPECT_EQ(sig(Feedback{ErrorClass::slow_down, 503, 0}), "http_5xx");
  EXPECT_EQ(sig(Feedback{ErrorClass::none, 503, 0}), "");  // a success is a success
}

TEST(CircuitBreaker, WindowSlidesSoOldSuccessesStopDiluting) {
  CircuitBreaker cb(CircuitOptions{});
  for (int i = 0; i < 20; ++i) cb.record(FailureSignature::none, false, 0);
  int opened_at = -1;
  for (int i = 1; i <= 20 && opened_at < 0; ++i) {
    if (cb.record(FailureSignature::http_403, false, 0) == CircuitBreaker::Change::opened) {
      opened_at = i;
    }
  }
  EXPECT_EQ(opened_at, 16);  // 16 of the last 20 is 80%
  EXPECT_EQ(cb.failures_at_open(), 16);
  EXPECT_EQ(cb.window_at_open(), 20);
}

TEST(CircuitBreaker, OutcomesWithoutAnAnswerAreNotInTheWindow) {
  CircuitBreaker cb(CircuitOptions{});
  for (int i = 0; i < 9; ++i) cb.record(FailureSignature::http_403, false, 0);
  for (int i = 0; i < 50; ++i) cb.record(FailureSignature::none, /*no_outcome=*/true, 0);
  EXPECT_EQ(cb.record(FailureSignature::http_403, false, 0), CircuitBreaker::Change::opened);
}

TEST(CircuitBreaker, DisabledNeverOpens) {
  CircuitOptions o;
  o.enabled = false;
  CircuitBreaker cb(o);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(cb.record(FailureSignature::http_403, false, 0), CircuitBreaker::Change::none);
  }
  EXPECT_EQ(cb.state(0), CircuitState::closed);
}

TEST(CircuitBreaker, NonsenseOptionsAreMadeSafe) {
  CircuitOptions o;
  o.window = 0;
  o.min_samples = 50;
  o.first_probe_delay_ms = 0;
  o.max_probe_interval_ms = -5;
  CircuitBreaker cb(o);  // window 1, min_samples 1, delays 1 ms
  EXPECT_EQ(cb.record(FailureSignature::network, false, 100), CircuitBreaker::Change::opened);
  EXPECT_EQ(cb.next_probe_ms(), 101);
  EXPECT_TRUE(cb.may_admit(101, 0));
  cb.admitted();
  EXPECT_EQ(cb.record(FailureSignature::network, false, 200), CircuitBreaker::Change::probe_failed);
  EXPECT_EQ(cb.next_probe_ms(), 201);
}

}  // namespace
}  // namespace sluice::gate_test
