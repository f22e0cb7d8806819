#include "util/clock.h"

#include <gtest/gtest.h>

#include <ctime>

namespace sluice {
namespace {

TEST(FakeClock, StartsWhereToldAndMovesOnlyWhenTold) {
  FakeClock clock(1'000);
  EXPECT_EQ(clock.now_ms(), 1'000);
  EXPECT_EQ(clock.steady_ms(), 0);
  EXPECT_EQ(clock.now_ms(), 1'000);
  clock.advance_ms(250);
  EXPECT_EQ(clock.now_ms(), 1'250);
  EXPECT_EQ(clock.steady_ms(), 250);
  clock.advance_ms(0);
  EXPECT_EQ(clock.now_ms(), 1'250);
}

TEST(FakeClock, AWallClockStepLeavesSteadyTimeAlone) {
  FakeClock clock(10'000);
  clock.advance_ms(5);
  clock.step_wall_ms(-3'000);
  EXPECT_EQ(clock.now_ms(), 7'005);
  EXPECT_EQ(clock.steady_ms(), 5);
  clock.step_wall_ms(60'000);
  EXPECT_EQ(clock.now_ms(), 67'005);
  EXPECT_EQ(clock.steady_ms(), 5);
}

TEST(FakeClock, DefaultStartIsAPlausibleEpochTime) {
  FakeClock clock;
  EXPECT_EQ(clock.now_ms(), 1'700'000'000'000);
}

TEST(FakeClock, UsableThroughTheInterface) {
  FakeClock fake(5);
  const Clock& clock = fake;
  fake.advance_ms(10);
  EXPECT_EQ(clock.now_ms(), 15);
  EXPECT_EQ(clock.steady_ms(), 10);
}

TEST(SystemClock, WallTimeIsNowAndSteadyDoesNotGoBack) {
  SystemClock clock;
  int64_t wall = static_cast<int64_t>(std::time(nullptr)) * 1000;
  EXPECT_NEAR(static_cast<double>(clock.now_ms()), static_cast<double>(wall), 5'000.0);
  int64_t a = clock.steady_ms();
  int64_t b = clock.steady_ms();
  EXPECT_LE(a, b);
}

}  // namespace
}  // namespace sluice
