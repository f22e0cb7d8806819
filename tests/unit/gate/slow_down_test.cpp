// Adaptive slow-down: AIMD once per window, additive recovery, Retry-After pauses.
#include <gtest/gtest.h>

#include "gate/aimd.h"
#include "gate/gate_test_util.h"
#include "util/clock.h"

namespace sluice::gate_test {
namespace {

TEST(SlowDown, TwentySimultaneous429sCutOnce) {
  FakeClock clock;
  LocalGate gate(limits_for(20));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  for (int i = 0; i < 20; ++i) {  // all sent under the old cap, all answered 429
    gate.release(kHost);
    gate.feedback(kHost, http(429), clock.now_ms());
  }
  EXPECT_EQ(state(gate).effective_cap, 10);
  EXPECT_EQ(state(gate).slow_downs, 1u);
  auto events = gate.take_events();
  // Twenty 429s in a row also look like a provider refusing everything: the circuit opens
  // (at the tenth) and a probe decides when to go on.
  ASSERT_EQ(kinds(events), (std::vector<GateEvent::Kind>{GateEvent::Kind::slowed_down,
                                                         GateEvent::Kind::circuit_opened}));
  EXPECT_EQ(events[0].host, kHost);
  EXPECT_EQ(events[0].effective_cap, 10);
  EXPECT_EQ(events[0].paused_until_ms, 0);
  EXPECT_EQ(events[1].signature, "http_429");
  EXPECT_TRUE(gate.take_events().empty());  // taken once
}

TEST(SlowDown, TwentySimultaneous429sCutOnceWithoutTheCircuit) {
  FakeClock clock;
  CircuitOptions off;
  off.enabled = false;
  LocalGate gate(limits_for(20), off);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  for (int i = 0; i < 20; ++i) {
    gate.release(kHost);
    gate.feedback(kHost, http(429), clock.now_ms());
  }
  EXPECT_EQ(state(gate).effective_cap, 10);
  EXPECT_EQ(kinds(gate.take_events()), std::vector<GateEvent::Kind>{GateEvent::Kind::slowed_down});
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
}

TEST(SlowDown, A429FromARequestSentAfterTheCutCutsAgain) {
  FakeClock clock;
  LocalGate gate(limits_for(20));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  gate.release(kHost);
  gate.feedback(kHost, http(503), clock.now_ms());  // cut: 3 still out from before
  EXPECT_EQ(state(gate).effective_cap, 10);
  gate.release(kHost);
  gate.feedback(kHost, http(429), clock.now_ms());  // old: no cut
  gate.release(kHost);
  gate.feedback(kHost, ok(), clock.now_ms());
  gate.release(kHost);
  gate.feedback(kHost, http(429), clock.now_ms());  // the last old one: no cut
  EXPECT_EQ(state(gate).effective_cap, 10);
  ASSERT_TRUE(request(gate, http(429), clock.now_ms()));  // sent after the cut: cuts
  EXPECT_EQ(state(gate).effective_cap, 5);
  ASSERT_TRUE(request(gate, http(429), clock.now_ms()));  // nothing else was out: cuts
  EXPECT_EQ(state(gate).effective_cap, 2);
  EXPECT_EQ(state(gate).slow_downs, 3u);
}

TEST(SlowDown, AtOneACutChangesNothingAndSaysNothing) {
  FakeClock clock;
  LocalGate gate(limits_for(2));
  ASSERT_TRUE(request(gate, http(429), clock.now_ms()));
  ASSERT_EQ(state(gate).effective_cap, 1);
  gate.take_events();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(request(gate, http(429), clock.now_ms()));
  EXPECT_EQ(state(gate).effective_cap, 1);
  EXPECT_TRUE(gate.take_events().empty());
}

TEST(SlowDown, RecoveryIsAdditiveAndNeverAboveTheCap) {
  FakeClock clock;
  LocalGate gate(limits_for(6));
  ASSERT_TRUE(request(gate, http(429), clock.now_ms()));  // 3
  ASSERT_EQ(state(gate).effective_cap, 3);
  const int steps[] = {3, 4, 5};  // one more per effective_cap successes
  for (int need : steps) {
    const int before = state(gate).effective_cap;
    for (int i = 0; i < need - 1; ++i) ASSERT_TRUE(request(gate, ok(), clock.now_ms()));
    EXPECT_EQ(state(gate).effective_cap, before);
    ASSERT_TRUE(request(gate, ok(), clock.now_ms()));
    EXPECT_EQ(state(gate).effective_cap, before + 1);
  }
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(request(gate, ok(), clock.now_ms()));
  EXPECT_EQ(state(gate).effective_cap, 6);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
}

TEST(SlowDown, RetryAfterPausesAndNeverShortensAPause) {
  FakeClock clock;
  LocalGate gate(limits_for(4));
  const int64_t t0 = clock.now_ms();
  ASSERT_TRUE(request(gate, http(429, 10'000), t0));
  EXPECT_EQ(gate.paused_until_ms(kHost, t0), t0 + 10'000);
  EXPECT_EQ(gate.next_admit_ms(kHost, t0), t0 + 10'000);
  auto events = gate.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].paused_until_ms, t0 + 10'000);
  EXPECT_NE(events[0].describe().find("paused for 10.0 s"), std::string::npos)
      << events[0].describe();
  gate.feedback(kHost, http(503, 2'000), t0 + 1'000);  // a later, shorter one
  EXPECT_EQ(gate.paused_until_ms(kHost, t0 + 1'000), t0 + 10'000);
  gate.feedback(kHost, http(503, 30'000), t0 + 1'000);  // a longer one extends it
  EXPECT_EQ(gate.paused_until_ms(kHost, t0 + 1'000), t0 + 31'000);
  clock.advance_ms(30'999);
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  clock.advance_ms(1);
  EXPECT_EQ(gate.next_admit_ms(kHost, clock.now_ms()), 0);
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
}

TEST(SlowDown, RetryAfterCountsOnlyOnSlowDown) {
  FakeClock clock;
  LocalGate gate(limits_for(4));
  ASSERT_TRUE(request(gate, http(500, 5'000), clock.now_ms()));  // transient: no pause
  EXPECT_EQ(gate.paused_until_ms(kHost, clock.now_ms()), 0);
  EXPECT_EQ(state(gate).effective_cap, 4);
}

TEST(Aimd, CutWindowIsTheRequestsStillOut) {
  Aimd aimd(16);
  EXPECT_TRUE(aimd.on_outcome(ErrorClass::slow_down, 2));  // 8; wait for 2 more outcomes
  EXPECT_FALSE(aimd.on_outcome(ErrorClass::slow_down, 1));
  EXPECT_FALSE(aimd.on_outcome(ErrorClass::transient, 0));
  EXPECT_TRUE(aimd.on_outcome(ErrorClass::slow_down, 0));  // 4
  EXPECT_EQ(aimd.effective(), 4);
  aimd.restart_at(100);
  EXPECT_EQ(aimd.effective(), 16);
  aimd.restart_at(0);
  EXPECT_EQ(aimd.effective(), 1);
}

}  // namespace
}  // namespace sluice::gate_test
