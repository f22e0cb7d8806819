// The per-host request rate: the token bucket alone, then through the gate.
#include "gate/token_bucket.h"

#include <gtest/gtest.h>

#include "gate/gate_test_util.h"
#include "util/clock.h"

namespace sluice::gate_test {
namespace {

TEST(TokenBucket, HalfARequestPerSecondIsOneEveryTwoSeconds) {
  FakeClock clock;
  TokenBucket bucket(0.5);
  EXPECT_DOUBLE_EQ(bucket.capacity(), 1.0);
  EXPECT_EQ(bucket.next_token_ms(clock.now_ms()), 0);  // starts full
  EXPECT_TRUE(bucket.try_take(clock.now_ms()));
  EXPECT_FALSE(bucket.try_take(clock.now_ms()));
  const int64_t t0 = clock.now_ms();
  EXPECT_EQ(bucket.next_token_ms(t0), t0 + 2'000);
  clock.advance_ms(1'999);
  EXPECT_FALSE(bucket.try_take(clock.now_ms()));
  EXPECT_EQ(bucket.next_token_ms(clock.now_ms()), t0 + 2'000);
  clock.advance_ms(1);
  EXPECT_TRUE(bucket.try_take(clock.now_ms()));
  clock.advance_ms(60'000);  // idle: refills to the capacity, not beyond
  EXPECT_TRUE(bucket.try_take(clock.now_ms()));
  EXPECT_FALSE(bucket.try_take(clock.now_ms()));
}

TEST(TokenBucket, NeverMoreThanTheRateOverALongRun) {
  // Polled every millisecond, as hard as anyone could: at most 1 + R * T.
  const struct {
    double rate;
    int seconds;
    int most;
    int least;
  } cases[] = {{0.3, 100, 31, 30}, {4, 10, 44, 44}, {0.5, 60, 31, 31}, {1.7, 20, 35, 34}};
  for (const auto& c : cases) {
    FakeClock clock;
    TokenBucket bucket(c.rate);
    int taken = 0;
    for (int ms = 0; ms <= c.seconds * 1000; ++ms) {
      if (bucket.try_take(clock.now_ms())) ++taken;
      clock.advance_ms(1);
    }
    EXPECT_LE(taken, c.most) << c.rate;
    EXPECT_GE(taken, c.least) << c.rate;
  }
}

TEST(TokenBucket, BurstIsTheRateAboveOne) {
  FakeClock clock;
  TokenBucket bucket(2.5);
  EXPECT_DOUBLE_EQ(bucket.capacity(), 2.5);
  EXPECT_TRUE(bucket.try_take(clock.now_ms()));
  EXPECT_TRUE(bucket.try_take(clock.now_ms()));
  EXPECT_FALSE(bucket.try_take(clock.now_ms()));  // 0.5 left
  EXPECT_EQ(bucket.next_token_ms(clock.now_ms()), clock.now_ms() + 200);
  EXPECT_DOUBLE_EQ(bucket.tokens(clock.now_ms()), 0.5);
}

TEST(TokenBucket, AClockSteppingBackNeitherRefillsNorStalls) {
  TokenBucket bucket(1);
  EXPECT_TRUE(bucket.try_take(10'000));
  EXPECT_FALSE(bucket.try_take(5'000));  // stepped back: no refill
  EXPECT_FALSE(bucket.try_take(5'999));
  EXPECT_TRUE(bucket.try_take(6'000));  // counts from the new time, not from 10'000
}

TEST(TokenBucket, HugeIdleGapsDoNotOverflow) {
  TokenBucket bucket(1'000'000);
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_TRUE(bucket.try_take(INT64_MAX / 2));
  EXPECT_DOUBLE_EQ(bucket.tokens(INT64_MAX / 2), 999'999.0);
}

TEST(RateCap, TheGateNeedsATokenAndASlot) {
  FakeClock clock;
  LocalGate gate(limits_for(10, "0.5/s"));
  EXPECT_DOUBLE_EQ(state(gate).rate, 0);  // not seen yet
  const int64_t t0 = clock.now_ms();
  EXPECT_EQ(gate.next_admit_ms(kHost, t0), 0);
  EXPECT_TRUE(gate.try_acquire(kHost, t0));
  EXPECT_FALSE(gate.try_acquire(kHost, t0));  // slots free, no token
  EXPECT_EQ(gate.next_admit_ms(kHost, t0), t0 + 2'000);
  EXPECT_DOUBLE_EQ(state(gate).rate, 0.5);
  EXPECT_EQ(state(gate).in_flight, 1);
  clock.advance_ms(2'000);
  EXPECT_EQ(gate.next_admit_ms(kHost, clock.now_ms()), 0);
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
}

TEST(RateCap, ARefusalForAFullHostTakesNoToken) {
  FakeClock clock;
  LocalGate gate(limits_for(1, "1"));
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));
  clock.advance_ms(1'000);  // a token is back, but the one slot is taken
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  EXPECT_FALSE(gate.try_acquire(kHost, clock.now_ms()));
  gate.release(kHost);
  EXPECT_TRUE(gate.try_acquire(kHost, clock.now_ms()));  // that token was still there
}

TEST(RateCap, NextAdmitIsTheLatestOfPauseAndToken) {
  FakeClock clock;
  LocalGate gate(limits_for(10, "0.1"));  // one every 10 s
  const int64_t t0 = clock.now_ms();
  ASSERT_TRUE(request(gate, http(429, 3'000), t0));
  EXPECT_EQ(gate.next_admit_ms(kHost, t0), t0 + 10'000);  // the token is later
  gate.feedback(kHost, http(429, 20'000), t0);
  EXPECT_EQ(gate.next_admit_ms(kHost, t0), t0 + 20'000);  // the pause is later
  EXPECT_EQ(gate.next_admit_ms("unknown.example:80", t0), 0);
}

TEST(RateCap, HostsWithoutARateAreUnlimited) {
  FakeClock clock;
  LocalGate gate(limits_for(3, "1"));
  const std::string other = "other.example:443";
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(request(gate, ok(), clock.now_ms(), other));
  EXPECT_EQ(gate.next_admit_ms(other, clock.now_ms()), 0);
  EXPECT_DOUBLE_EQ(state(gate, other).rate, 0);
}

}  // namespace
}  // namespace sluice::gate_test
