#include "gate/local_gate.h"

#include <gtest/gtest.h>

#include "util/clock.h"

namespace sluice {
namespace {

constexpr const char* kHost = "img.example:443";

LocalGate make_gate(int cap) {
  HostLimits limits(20);
  EXPECT_TRUE(limits.add_rule("img.example=" + std::to_string(cap)).ok());
  return LocalGate(limits);
}

HostGateState state(const GateStats& g, const std::string& host = kHost) {
  auto snap = g.snapshot();
  auto it = snap.find(host);
  return it == snap.end() ? HostGateState{} : it->second;
}

void succeed(Gate& g, int n, int64_t now) {
  for (int i = 0; i < n; ++i) g.feedback(kHost, Feedback{ErrorClass::none, 200, 0}, now);
}

TEST(LocalGate, AdmitsUpToTheCapAndRefillsOnRelease) {
  FakeClock clock;
  LocalGate gate = make_gate(3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_EQ(state(gate).in_flight, 3);
  gate.release(kHost);
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));  // the slot refills at once
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_EQ(state(gate).max_in_flight, 3);
  EXPECT_EQ(state(gate).cap, 3);
}

TEST(LocalGate, HostsAreIndependentAndUseTheDefault) {
  FakeClock clock;
  LocalGate gate = make_gate(1);
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(gate.try_acquire("other.example:443", clock.now_ms()));
  EXPECT_FALSE(gate.try_acquire("other.example:443", clock.now_ms()));
  EXPECT_EQ(state(gate, "other.example:443").cap, 20);
}

TEST(LocalGate, ReleaseNeverGoesNegative) {
  LocalGate gate = make_gate(2);
  gate.release(kHost);
  EXPECT_EQ(state(gate).in_flight, 0);
  gate.connection_closed(kHost);
  EXPECT_EQ(state(gate).open_connections, 0);
}

TEST(LocalGate, ConnectionFenceRefusesOverTheCap) {
  LocalGate gate = make_gate(2);
  EXPECT_TRUE(gate.connection_opening(kHost));
  EXPECT_TRUE(gate.connection_opening(kHost));
  EXPECT_FALSE(gate.connection_opening(kHost));
  EXPECT_FALSE(gate.connection_opening(kHost));
  HostGateState s = state(gate);
  EXPECT_EQ(s.open_connections, 2);
  EXPECT_EQ(s.max_open_connections, 2);
  EXPECT_EQ(s.refused_sockets, 2u);
  gate.connection_closed(kHost);
  EXPECT_TRUE(gate.connection_opening(kHost));
  EXPECT_EQ(state(gate).max_open_connections, 2);
}

TEST(LocalGate, FenceUsesTheHardCapNotTheEffectiveCap) {
  FakeClock clock;
  LocalGate gate = make_gate(4);
  gate.feedback(kHost, Feedback{ErrorClass::slow_down, 429, 0}, clock.now_ms());
  EXPECT_EQ(state(gate).effective_cap, 2);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(gate.connection_opening(kHost));  // idle ones may stay
  EXPECT_FALSE(gate.connection_opening(kHost));
}

TEST(LocalGate, SlowDownHalvesTheEffectiveCapDownToOne) {
  FakeClock clock;
  LocalGate gate = make_gate(20);
  const int expected[] = {10, 5, 2, 1, 1};
  for (int e : expected) {
    gate.feedback(kHost, Feedback{ErrorClass::slow_down, 503, 0}, clock.now_ms());
    EXPECT_EQ(state(gate).effective_cap, e);
  }
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_EQ(gate.paused_until_ms(kHost, clock.now_ms()), 0);  // no Retry-After: no pause
}

TEST(LocalGate, AdmissionUnderACutCapWaitsForInFlightToDrain) {
  FakeClock clock;
  LocalGate gate = make_gate(4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  gate.feedback(kHost, Feedback{ErrorClass::slow_down, 429, 0}, clock.now_ms());  // cap 2
  gate.release(kHost);
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));  // 3 in flight > 2
  gate.release(kHost);
  gate.release(kHost);
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));  // 1 -> 2
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
}

TEST(LocalGate, RetryAfterPausesTheHost) {
  FakeClock clock;
  LocalGate gate = make_gate(4);
  const int64_t t0 = clock.now_ms();
  gate.feedback(kHost, Feedback{ErrorClass::slow_down, 429, 5'000}, t0);
  EXPECT_EQ(gate.paused_until_ms(kHost, t0), t0 + 5'000);
  EXPECT_FALSE(gate.try_acquire(kHost, t0));
  clock.advance_ms(4'999);
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_EQ(gate.paused_until_ms(kHost, clock.now_ms()), t0 + 5'000);
  clock.advance_ms(1);
  EXPECT_EQ(gate.paused_until_ms(kHost, clock.now_ms()), 0);
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_EQ(gate.paused_until_ms("never.seen:80", clock.now_ms()), 0);
}

TEST(LocalGate, AShorterRetryAfterDoesNotShortenAPause) {
  FakeClock clock;
  LocalGate gate = make_gate(4);
  const int64_t t0 = clock.now_ms();
  gate.feedback(kHost, Feedback{ErrorClass::slow_down, 429, 10'000}, t0);
  gate.feedback(kHost, Feedback{ErrorClass::slow_down, 429, 1'000}, t0);
  EXPECT_EQ(gate.paused_until_ms(kHost, t0), t0 + 10'000);
}

TEST(LocalGate, SuccessesRecoverAdditivelyAndNeverAboveTheCap) {
  FakeClock clock;
  LocalGate gate = make_gate(8);
  gate.feedback(kHost, Feedback{ErrorClass::slow_down, 429, 0}, clock.now_ms());
  gate.feedback(kHost, Feedback{ErrorClass::slow_down, 429, 0}, clock.now_ms());
  ASSERT_EQ(state(gate).effective_cap, 2);
  succeed(gate, 1, clock.now_ms());
  EXPECT_EQ(state(gate).effective_cap, 2);  // one window is 2 successes
  succeed(gate, 1, clock.now_ms());
  EXPECT_EQ(state(gate).effective_cap, 3);
  succeed(gate, 2, clock.now_ms());
  EXPECT_EQ(state(gate).effective_cap, 3);
  succeed(gate, 1, clock.now_ms());
  EXPECT_EQ(state(gate).effective_cap, 4);
  succeed(gate, 1000, clock.now_ms());
  EXPECT_EQ(state(gate).effective_cap, 8);
  EXPECT_EQ(state(gate).cap, 8);
}

TEST(LocalGate, OtherFailuresLeaveTheCapAlone) {
  FakeClock clock;
  LocalGate gate = make_gate(8);
  gate.feedback(kHost, Feedback{ErrorClass::transient, 500, 0}, clock.now_ms());
  gate.feedback(kHost, Feedback{ErrorClass::permanent, 404, 0}, clock.now_ms());
  EXPECT_EQ(state(gate).effective_cap, 8);
  EXPECT_EQ(gate.paused_until_ms(kHost, clock.now_ms()), 0);
}

TEST(LocalGate, InFlightNeverExceedsTheCapUnderChurn) {
  FakeClock clock;
  LocalGate gate = make_gate(5);
  gate.release(kHost);  // a no-op that makes the host show up in snapshot()
  int held = 0;
  for (int round = 0; round < 200; ++round) {
    for (;;) {
      const int effective = state(gate).effective_cap;
      if (!gate.try_acquire(kHost, clock.now_ms())) {
        ASSERT_GE(held, effective);  // refused only when the (cut) window is full
        break;
      }
      ASSERT_LT(held, effective);  // admitted only below the window
      ++held;
    }
    ASSERT_LE(held, 5);
    const int done = 1 + round % 3;
    for (int i = 0; i < done && held > 0; ++i, --held) {
      gate.release(kHost);
      const bool slow = round % 17 == 0 && i == 0;
      gate.feedback(kHost, Feedback{slow ? ErrorClass::slow_down : ErrorClass::none, 200, 0},
                    clock.now_ms());
    }
    clock.advance_ms(10);
  }
  HostGateState s = state(gate);
  EXPECT_LE(s.max_in_flight, 5);
  EXPECT_LE(s.effective_cap, 5);
  EXPECT_GE(s.effective_cap, 1);
}

}  // namespace
}  // namespace sluice
