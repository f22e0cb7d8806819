#include "provider/options.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

using std::chrono::milliseconds;

TEST(ProviderOptions, ParsesLatency) {
  auto fixed = parse_latency("fixed:250");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->kind, LatencySpec::Kind::fixed);
  EXPECT_EQ(fixed->ms, 250);
  auto bare = parse_latency("40");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->kind, LatencySpec::Kind::fixed);
  auto exp = parse_latency("exp:12.5");
  ASSERT_TRUE(exp.ok());
  EXPECT_EQ(exp->kind, LatencySpec::Kind::exponential);
  EXPECT_EQ(exp->ms, 12.5);
  EXPECT_EQ(exp->to_string(), "exp:12.5");
  EXPECT_EQ(parse_latency("none")->kind, LatencySpec::Kind::none);
  EXPECT_EQ(parse_latency("fixed:0")->kind, LatencySpec::Kind::none);
}

TEST(ProviderOptions, RejectsBadLatency) {
  for (const char* bad : {"", "fixed:", "fixed:-1", "exp:abc", "slow", "fixed:10ms", "exp:inf"}) {
    auto r = parse_latency(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().reason, Reason::bad_input);
    EXPECT_NE(r.error().detail.find("fixed:MS"), std::string::npos) << r.error().detail;
  }
}

TEST(ProviderOptions, ParsesSize) {
  auto n = parse_size("5000");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->min, 5000u);
  EXPECT_EQ(n->max, 5000u);
  auto range = parse_size("1k-2m");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->min, 1024u);
  EXPECT_EQ(range->max, 2u * 1024 * 1024);
  EXPECT_EQ(range->to_string(), "1024-2097152");
}

TEST(ProviderOptions, RejectsBadSize) {
  for (const char* bad : {"", "-", "10-", "-10", "abc", "5-4", "2g", "1025m", "1.5k"}) {
    auto r = parse_size(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_NE(parse_size("5-4").error().detail.find("MIN is larger"), std::string::npos);
}

TEST(ProviderOptions, LatencySamplesAreSeeded) {
  std::mt19937_64 a(7), b(7);
  const LatencySpec exp = *parse_latency("exp:100");
  double sum = 0;
  constexpr int kDraws = 20'000;
  for (int i = 0; i < kDraws; ++i) {
    const milliseconds d = exp.sample(a);
    EXPECT_EQ(d, exp.sample(b));
    EXPECT_GE(d.count(), 0);
    sum += static_cast<double>(d.count());
  }
  EXPECT_NEAR(sum / kDraws, 100, 5);
  std::mt19937_64 rng(1);
  EXPECT_EQ(parse_latency("fixed:30")->sample(rng), milliseconds(30));
  EXPECT_EQ(LatencySpec{}.sample(rng), milliseconds(0));
}

TEST(ProviderOptions, ParsesTailLatency) {
  auto tail = parse_latency("tail:50:0.1:1500");
  ASSERT_TRUE(tail.ok()) << tail.error().detail;
  EXPECT_EQ(tail->kind, LatencySpec::Kind::tail);
  EXPECT_EQ(tail->ms, 50);
  EXPECT_EQ(tail->share, 0.1);
  EXPECT_EQ(tail->long_ms, 1500);
  EXPECT_EQ(tail->to_string(), "tail:50:0.1:1500");
  for (const char* bad : {"tail:", "tail:50", "tail:50:0.1", "tail:50:1.5:100", "tail:50:-0.1:100",
                          "tail:50:0.1:", "tail:x:0.1:100", "tail:50:0.1:100:7"}) {
    auto r = parse_latency(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().detail.find("tail:MEAN_MS:SHARE:LONG_MS"), std::string::npos);
  }
}

// The tail's long requests come in the given share; the others are exponential with the
// given mean, so (almost) none of them is anywhere near as long.
TEST(ProviderOptions, TailLatencySamplesAreHeavyTailedAndSeeded) {
  const LatencySpec tail = *parse_latency("tail:20:0.2:5000");
  std::mt19937_64 a(11), b(11);
  constexpr int kDraws = 20'000;
  int longs = 0;
  double short_sum = 0;
  for (int i = 0; i < kDraws; ++i) {
    const milliseconds d = tail.sample(a);
    EXPECT_EQ(d, tail.sample(b));
    if (d == milliseconds(5000)) {
      ++longs;
    } else {
      EXPECT_LT(d.count(), 1000);
      short_sum += static_cast<double>(d.count());
    }
  }
  EXPECT_NEAR(static_cast<double>(longs) / kDraws, 0.2, 0.02);
  EXPECT_NEAR(short_sum / (kDraws - longs), 20, 2);
  std::mt19937_64 rng(3);
  EXPECT_EQ(parse_latency("tail:20:1:700")->sample(rng), milliseconds(700));
  for (int i = 0; i < 100; ++i) EXPECT_LT(parse_latency("tail:1:0:700")->sample(rng).count(), 50);
}

TEST(ProviderOptions, KnowsIpLiterals) {
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_TRUE(is_ip_literal("0.0.0.0"));
  EXPECT_FALSE(is_ip_literal("localhost"));
  EXPECT_FALSE(is_ip_literal("127.0.0.256"));
}

}  // namespace
}  // namespace sluice
