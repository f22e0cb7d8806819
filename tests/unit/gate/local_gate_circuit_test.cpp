// The circuit breaker through the gate: when it opens, what it refuses, the one probe,
// closing, re-opening with growing delays, per-host isolation, health() and events.
#include <gtest/gtest.h>

#include "gate/gate_test_util.h"
#include "util/clock.h"

namespace sluice::gate_test {
namespace {

using Kind = GateEvent::Kind;

// Opens kHost's circuit with 403s (cap 8, default options) and drops the events.
void open_with_403s(LocalGate& gate, int64_t now) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(request(gate, http(403), now));
  ASSERT_EQ(gate.health(kHost, now).circuit, CircuitState::open);
  gate.take_events();
}

TEST(Circuit, OpensWhenEverythingIs403AfterMinSamples) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  const int64_t now = clock.now_ms();
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(request(gate, http(403), now));
  EXPECT_EQ(gate.health(kHost, now).circuit, CircuitState::closed);
  EXPECT_TRUE(gate.take_events().empty());
  ASSERT_TRUE(request(gate, http(403), now));
  HostHealth h = gate.health(kHost, now);
  EXPECT_EQ(h.circuit, CircuitState::open);
  EXPECT_EQ(h.signature, "http_403");
  EXPECT_EQ(h.next_probe_ms, now + 1'000);
  EXPECT_EQ(h.effective_cap, 8);
  auto events = gate.take_events();
  ASSERT_EQ(kinds(events), std::vector<Kind>{Kind::circuit_opened});
  EXPECT_EQ(events[0].host, kHost);
  EXPECT_EQ(events[0].signature, "http_403");
  EXPECT_EQ(events[0].failures, 10);
  EXPECT_EQ(events[0].window, 10);
  EXPECT_EQ(events[0].next_probe_ms, now + 1'000);
  EXPECT_NE(events[0].describe().find("10 of the last 10"), std::string::npos)
      << events[0].describe();
  HostGateState s = state(gate);
  EXPECT_EQ(s.circuit, CircuitState::open);
  EXPECT_EQ(s.signature, "http_403");
  EXPECT_EQ(s.circuits_opened, 1u);
}

TEST(Circuit, NeverOpensOn404s) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(request(gate, http(i % 2 ? 404 : 410), clock.now_ms()));
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::closed);
  EXPECT_EQ(state(gate).circuits_opened, 0u);
}

TEST(Circuit, DifferentFailuresDoNotAddUp) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  const Feedback mix[] = {http(403), http(500), net(Reason::timeout), http(401)};
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(request(gate, mix[i % 4], clock.now_ms()));
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::closed);
}

TEST(Circuit, AlikeFailuresBelowTheThresholdDoNotOpen) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  // 15 of every 20 fail alike: 75% < 80%.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(request(gate, i % 4 == 0 ? ok() : http(403), clock.now_ms()));
  }
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::closed);
}

TEST(Circuit, Any5xxLooksAlikeAndSoDoNetworkFailures) {
  FakeClock clock;
  LocalGate a(limits_for(8));
  const int statuses[] = {500, 502, 503, 504};
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(request(a, http(statuses[i % 4]), clock.now_ms()));
  EXPECT_EQ(a.health(kHost, clock.now_ms()).signature, "http_5xx");
  LocalGate b(limits_for(8));
  const Reason reasons[] = {Reason::connect, Reason::reset, Reason::timeout, Reason::dns};
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(request(b, net(reasons[i % 4]), clock.now_ms()));
  EXPECT_EQ(b.health(kHost, clock.now_ms()).signature, "network");
}

TEST(Circuit, RefusesWhileOpenThenAdmitsExactlyOneProbe) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  const int64_t t0 = clock.now_ms();
  open_with_403s(gate, t0);
  EXPECT_FALSE(gate.try_acquire(kHost, t0));
  EXPECT_EQ(gate.next_admit_ms(kHost, t0), t0 + 1'000);
  clock.advance_ms(999);
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  clock.advance_ms(1);
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::half_open);
  EXPECT_EQ(gate.next_admit_ms(kHost, clock.now_ms()), 0);
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));  // the probe
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
    clock.advance_ms(10'000);
  }
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::half_open);
  EXPECT_EQ(gate.next_admit_ms(kHost, clock.now_ms()), 0);  // waits for the probe, not time
  EXPECT_EQ(state(gate).in_flight, 1);
}

TEST(Circuit, ProbeSuccessClosesAtHalfTheCap) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  const int64_t t0 = clock.now_ms();
  open_with_403s(gate, t0);
  clock.advance_ms(1'000);
  ASSERT_TRUE(request(gate, ok(), clock.now_ms()));
  HostHealth h = gate.health(kHost, clock.now_ms());
  EXPECT_EQ(h.circuit, CircuitState::closed);
  EXPECT_EQ(h.signature, "");
  EXPECT_EQ(h.next_probe_ms, 0);
  EXPECT_EQ(h.effective_cap, 4);
  auto events = gate.take_events();
  ASSERT_EQ(kinds(events), std::vector<Kind>{Kind::circuit_closed});
  EXPECT_EQ(events[0].after_ms, 1'000);
  EXPECT_EQ(events[0].effective_cap, 4);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  for (int i = 0; i < 4; ++i) gate.release(kHost);
  // The window starts empty: 9 more 403s are not enough to open it again.
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(request(gate, http(403), clock.now_ms()));
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::closed);
  EXPECT_EQ(state(gate).circuits_opened, 1u);
}

TEST(Circuit, AProbeAnsweredWithAPerObjectErrorAlsoCloses) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  open_with_403s(gate, clock.now_ms());
  clock.advance_ms(1'000);
  ASSERT_TRUE(request(gate, http(404), clock.now_ms()));  // the host answers normally
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::closed);
}

TEST(Circuit, ProbeFailureDoublesTheDelayUpToTheMaximum) {
  FakeClock clock;
  CircuitOptions o;
  o.max_probe_interval_ms = 10'000;
  LocalGate gate(limits_for(8), o);
  open_with_403s(gate, clock.now_ms());
  const int64_t expected[] = {2'000, 4'000, 8'000, 10'000, 10'000};
  int64_t delay = 1'000;
  for (int64_t next : expected) {
    clock.advance_ms(delay);
    ASSERT_TRUE(request(gate, http(503), clock.now_ms())) << next;  // a different failure
    HostHealth h = gate.health(kHost, clock.now_ms());
    EXPECT_EQ(h.circuit, CircuitState::open);
    EXPECT_EQ(h.signature, "http_5xx");  // what the host says now
    EXPECT_EQ(h.next_probe_ms, clock.now_ms() + next);
    auto events = gate.take_events();
    ASSERT_EQ(kinds(events), std::vector<Kind>{Kind::probe_failed});
    EXPECT_EQ(events[0].next_probe_ms, clock.now_ms() + next);
    EXPECT_EQ(events[0].signature, "http_5xx");
    clock.advance_ms(next - 1);
    EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
    delay = 1;
  }
  EXPECT_EQ(state(gate).probes_failed, 5u);
  EXPECT_EQ(state(gate).circuits_opened, 1u);  // re-opening is not a new opening
  clock.advance_ms(1);
  ASSERT_TRUE(request(gate, ok(), clock.now_ms()));
  auto events = gate.take_events();
  ASSERT_EQ(kinds(events), std::vector<Kind>{Kind::circuit_closed});
  EXPECT_EQ(events[0].after_ms, 1'000 + 2'000 + 4'000 + 8'000 + 10'000 + 10'000);
  // The next opening starts again at the first delay.
  open_with_403s(gate, clock.now_ms());
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).next_probe_ms, clock.now_ms() + 1'000);
}

TEST(Circuit, TheProbeWaitsForRequestsSentBeforeItOpened) {
  FakeClock clock;
  LocalGate gate(limits_for(20));
  const int64_t t0 = clock.now_ms();
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(gate.try_acquire(kHost, t0));
  for (int i = 0; i < 10; ++i) {
    gate.release(kHost);
    gate.feedback(kHost, http(401), t0);
  }
  ASSERT_EQ(gate.health(kHost, t0).circuit, CircuitState::open);  // 2 still out
  clock.advance_ms(5'000);
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));  // due, but 2 old ones are out
  gate.release(kHost);
  gate.feedback(kHost, ok(), clock.now_ms());  // an old one: not the probe
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::half_open);
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  gate.release(kHost);
  gate.feedback(kHost, http(401), clock.now_ms());       // the other old one
  EXPECT_EQ(gate.take_events().size(), 1u);              // just the opening
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));  // now the probe
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
}

TEST(Circuit, AProbeThatSaysNothingIsSentAgain) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  open_with_403s(gate, clock.now_ms());
  clock.advance_ms(1'000);
  ASSERT_TRUE(request(gate, net(Reason::cancelled), clock.now_ms()));
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::half_open);
  EXPECT_TRUE(gate.take_events().empty());
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
}

// A local fault (our disk full or read-only) says nothing about the provider: however
// many, they open no circuit, cut no concurrency, and a probe that meets one goes again.
TEST(Circuit, LocalFaultsAreNotTheHostsOutcome) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(request(gate, net(i % 2 ? Reason::disk_full : Reason::read_only), clock.now_ms()));
  }
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::closed);
  EXPECT_EQ(state(gate).circuits_opened, 0u);
  EXPECT_EQ(state(gate).slow_downs, 0u);
  EXPECT_EQ(state(gate).effective_cap, 8);
  EXPECT_TRUE(gate.take_events().empty());

  open_with_403s(gate, clock.now_ms());
  clock.advance_ms(1'000);
  ASSERT_TRUE(request(gate, net(Reason::disk_full), clock.now_ms()));  // the probe
  EXPECT_EQ(gate.health(kHost, clock.now_ms()).circuit, CircuitState::half_open);
  EXPECT_TRUE(gate.take_events().empty());
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
}

TEST(Circuit, OtherHostsAreUnaffected) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  const std::string other = "other.example:443";
  open_with_403s(gate, clock.now_ms());
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(gate.try_acquire(other, clock.now_ms()));
  EXPECT_EQ(gate.health(other, clock.now_ms()).circuit, CircuitState::closed);
  EXPECT_EQ(gate.next_admit_ms(other, clock.now_ms()), 0);
  EXPECT_EQ(state(gate, other).circuits_opened, 0u);
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
}

TEST(Circuit, HealthOfAnUnseenHostIsClosedAtItsCap) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  HostHealth h = gate.health(kHost, clock.now_ms());
  EXPECT_EQ(h.circuit, CircuitState::closed);
  EXPECT_EQ(h.signature, "");
  EXPECT_EQ(h.next_probe_ms, 0);
  EXPECT_EQ(h.effective_cap, 8);
  EXPECT_TRUE(gate.snapshot().empty());  // asking does not create it
}

TEST(Circuit, SnapshotSeesTheLatestTime) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  open_with_403s(gate, clock.now_ms());
  EXPECT_EQ(state(gate).circuit, CircuitState::open);
  EXPECT_EQ(state(gate).next_probe_ms, clock.now_ms() + 1'000);
  clock.advance_ms(1'000);
  ASSERT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_EQ(state(gate).circuit, CircuitState::half_open);
}

TEST(Circuit, EventsAreBoundedWhenNobodyTakesThem) {
  FakeClock clock;
  LocalGate gate(limits_for(8));
  for (size_t i = 0; i < LocalGate::kMaxEvents + 10; ++i) {
    const std::string host = "h" + std::to_string(i) + ".example:80";
    for (int j = 0; j < 10; ++j) ASSERT_TRUE(request(gate, http(403), clock.now_ms(), host));
  }
  auto events = gate.take_events();
  ASSERT_EQ(events.size(), LocalGate::kMaxEvents);
  EXPECT_EQ(events.back().host, "h" + std::to_string(LocalGate::kMaxEvents + 9) + ".example:80");
}

}  // namespace
}  // namespace sluice::gate_test
