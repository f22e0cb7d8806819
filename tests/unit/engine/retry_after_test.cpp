#include "engine/retry_after.h"

#include <gtest/gtest.h>

#include "engine/backoff.h"

namespace sluice {
namespace {

TEST(RetryAfter, Seconds) {
  EXPECT_EQ(parse_retry_after_ms("120", 0), 120'000);
  EXPECT_EQ(parse_retry_after_ms(" 5 ", 0), 5'000);
  EXPECT_EQ(parse_retry_after_ms("0", 0), 0);
}

TEST(RetryAfter, HttpDate) {
  // Sun, 06 Nov 1994 08:49:37 GMT = 784111777
  int64_t now = 784111777LL * 1000 - 10'000;
  EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now), 10'000);
  EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now + 20'000), 0);
}

TEST(RetryAfter, GarbageIsZero) {
  EXPECT_EQ(parse_retry_after_ms("", 0), 0);
  EXPECT_EQ(parse_retry_after_ms("soon", 0), 0);
}

TEST(Backoff, FullJitterStaysUnderTheExponentialCeiling) {
  Backoff b(100, 5'000, 42);
  for (int attempt = 0; attempt < 10; ++attempt) {
    int64_t ceiling = std::min<int64_t>(5'000, 100LL << attempt);
    int64_t max_seen = 0;
    for (int i = 0; i < 200; ++i) {
      int64_t d = b.delay_ms(attempt);
      ASSERT_GE(d, 0);
      ASSERT_LE(d, ceiling);
      max_seen = std::max(max_seen, d);
    }
    EXPECT_GT(max_seen, ceiling / 2) << "jitter should spread over the whole range";
  }
}

}  // namespace
}  // namespace sluice
