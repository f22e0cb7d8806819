// Held slots: a request sluice cut while the provider may still be serving it keeps its
// slot for a while (Gate::hold), against admission and the connection fence alike.
#include <gtest/gtest.h>

#include "gate/local_gate.h"
#include "gate_test_util.h"
#include "util/clock.h"

namespace sluice::gate_test {
namespace {

class GateHoldTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  LocalGate gate_{limits_for(3), CircuitOptions{}, &clock_};
  int64_t now() const { return clock_.now_ms(); }
};

TEST_F(GateHoldTest, AHeldSlotIsNotAdmittedUntilTheHoldEnds) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(gate_.try_acquire(kHost, now()));
  gate_.release(kHost);      // a request was cut ...
  gate_.hold(kHost, 2'000);  // ... and keeps its slot
  EXPECT_FALSE(gate_.try_acquire(kHost, now()));
  EXPECT_EQ(state(gate_).held, 1);
  EXPECT_EQ(state(gate_).held_for_ms, 2'000);
  clock_.advance_ms(1'999);
  EXPECT_FALSE(gate_.try_acquire(kHost, now()));
  clock_.advance_ms(1);
  EXPECT_TRUE(gate_.try_acquire(kHost, now()));  // expired on the gate's clock
  EXPECT_EQ(state(gate_).held, 0);
  EXPECT_EQ(state(gate_).holds_taken, 1u);
  EXPECT_EQ(state(gate_).in_flight, 3);
}

TEST_F(GateHoldTest, HeldSlotsCountAsOpenConnectionsForTheFence) {
  ASSERT_TRUE(gate_.connection_opening(kHost));
  ASSERT_TRUE(gate_.connection_opening(kHost));
  gate_.hold(kHost, 1'000);
  EXPECT_FALSE(gate_.connection_opening(kHost));  // 2 open + 1 held = the cap
  EXPECT_EQ(state(gate_).refused_sockets, 1u);
  gate_.connection_closed(kHost);
  EXPECT_TRUE(gate_.connection_opening(kHost));
  clock_.advance_ms(1'000);
  EXPECT_TRUE(gate_.connection_opening(kHost));
  EXPECT_EQ(state(gate_).open_connections, 3);
}

TEST_F(GateHoldTest, HoldsAddUpAndExpireOneByOne) {
  gate_.hold(kHost, 1'000);
  gate_.hold(kHost, 3'000);
  gate_.hold(kHost, 2'000);
  EXPECT_EQ(state(gate_).held, 3);
  EXPECT_EQ(state(gate_).held_for_ms, 3'000);  // until the last frees
  EXPECT_FALSE(gate_.try_acquire(kHost, now()));
  // The engine sleeps until the first hold ends, on the scale of its own now_ms.
  EXPECT_EQ(gate_.next_admit_ms(kHost, now()), now() + 1'000);
  clock_.advance_ms(1'000);
  EXPECT_TRUE(gate_.try_acquire(kHost, now()));
  EXPECT_FALSE(gate_.try_acquire(kHost, now()));
  EXPECT_EQ(gate_.next_admit_ms(kHost, now()), now() + 1'000);
  clock_.advance_ms(2'000);
  EXPECT_EQ(state(gate_).held, 0);
  EXPECT_EQ(state(gate_).held_for_ms, 0);
  EXPECT_EQ(gate_.next_admit_ms(kHost, now()), 0);
  EXPECT_EQ(state(gate_).holds_taken, 3u);
}

TEST_F(GateHoldTest, AHoldThatBlocksNothingDoesNotWakeTheEngine) {
  gate_.hold(kHost, 5'000);
  EXPECT_EQ(gate_.next_admit_ms(kHost, now()), 0);  // 2 of 3 slots are free
  EXPECT_TRUE(gate_.try_acquire(kHost, now()));
  EXPECT_TRUE(gate_.try_acquire(kHost, now()));
  EXPECT_FALSE(gate_.try_acquire(kHost, now()));
}

TEST_F(GateHoldTest, HoldsArePerHostAndANonPositiveTtlHoldsNothing) {
  gate_.hold("other.example:443", 1'000);
  gate_.hold(kHost, 0);
  gate_.hold(kHost, -5);
  EXPECT_EQ(state(gate_).held, 0);
  EXPECT_EQ(state(gate_).holds_taken, 0u);
  EXPECT_EQ(state(gate_, "other.example:443").held, 1);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(gate_.try_acquire(kHost, now()));
}

// Held slots count against the slowed-down window too: the provider sees them as requests.
TEST_F(GateHoldTest, HeldSlotsCountAgainstTheEffectiveCap) {
  ASSERT_TRUE(request(gate_, http(503), now()));  // halves the window to 1
  ASSERT_EQ(gate_.health(kHost, now()).effective_cap, 1);
  gate_.hold(kHost, 500);
  EXPECT_FALSE(gate_.try_acquire(kHost, now()));
  clock_.advance_ms(500);
  EXPECT_TRUE(gate_.try_acquire(kHost, now()));
}

}  // namespace
}  // namespace sluice::gate_test
