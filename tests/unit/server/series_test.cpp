#include "server/series.h"

#include <gtest/gtest.h>

#include "gate/local_gate.h"
#include "server/run_metrics.h"
#include "server/sampler.h"

namespace sluice {
namespace {

SeriesPoint point(int64_t t, uint64_t finished, uint64_t bytes) {
  SeriesPoint p;
  p.t_ms = t;
  p.finished = finished;
  p.bytes = bytes;
  return p;
}

TEST(SeriesTest, KeepsTheNewestAndAnswersSince) {
  Series s(3);
  for (int i = 1; i <= 5; ++i) s.add(point(i * 100, i, 0));
  auto all = s.since(0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.front().t_ms, 300);
  EXPECT_EQ(s.since(400).size(), 1u);
  EXPECT_TRUE(s.since(500).empty());
  EXPECT_EQ(s.since(0, 2).front().t_ms, 400);  // the newest max_points
}

TEST(SeriesTest, RatesOverTheWindow) {
  Series s;
  EXPECT_EQ(s.rates(10'000).window_s, 0);
  s.add(point(0, 0, 0));
  s.add(point(5'000, 10, 1000));
  s.add(point(10'000, 30, 3000));
  s.add(point(15'000, 50, 5000));
  Rates r = s.rates(10'000);
  EXPECT_DOUBLE_EQ(r.window_s, 10);
  EXPECT_DOUBLE_EQ(r.jobs_per_s, 4);  // (50 - 10) / 10 s
  EXPECT_DOUBLE_EQ(r.bytes_per_s, 400);
}

TEST(RunMetricsTest, PeaksCatchWhatFallsBetweenSamples) {
  RunMetrics m;
  for (int i = 0; i < 5; ++i) m.fetch_started("a:80");
  for (int i = 0; i < 4; ++i) m.fetch_finished("a:80", "ok", 0.1, 10);
  auto peaks = m.take_peaks();
  EXPECT_EQ(peaks["a:80"], 5);  // 1 in flight now, but 5 at once since the last sample
  peaks = m.take_peaks();
  EXPECT_EQ(peaks["a:80"], 1);  // the next window starts at what is in flight
  m.fetch_finished("a:80", "timeout", 2, 0);
  m.job_retried("a:80", "timeout");
  m.job_stored("a:80", 10);
  RunCounters c = m.counters();
  EXPECT_EQ(c.hosts["a:80"].in_flight, 0);
  EXPECT_EQ(c.hosts["a:80"].outcomes["ok"], 4u);
  EXPECT_EQ(c.hosts["a:80"].outcomes["timeout"], 1u);
  EXPECT_EQ(c.hosts["a:80"].duration.count(), 5u);
  EXPECT_EQ(c.retries["timeout"], 1u);
  EXPECT_EQ(c.stored, 1u);
  EXPECT_EQ(m.take_peaks()["a:80"], 1);  // it was in flight when this window began
  EXPECT_EQ(m.take_peaks()["a:80"], 0);
}

TEST(SamplerTest, SampleCarriesPeaksAndGateState) {
  HostLimits limits(4);
  LocalGate gate(limits);
  RunMetrics m;
  Series series;
  FakeClock clock;
  Sampler sampler(gate, m, series, clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(gate.try_acquire("a:80", clock.now_ms()));
    m.fetch_started("a:80");
  }
  ASSERT_TRUE(gate.connection_opening("a:80"));
  gate.release("a:80");
  m.fetch_finished("a:80", "ok", 0.01, 1);
  m.job_stored("a:80", 1);
  sampler.sample_now();
  auto points = series.since(0);
  ASSERT_EQ(points.size(), 1u);
  const SeriesHost& h = points[0].hosts.at("a:80");
  EXPECT_EQ(h.in_flight, 3);  // the peak, though 2 are in flight at the sample
  EXPECT_EQ(h.open, 1);
  EXPECT_EQ(h.cap, 4);
  EXPECT_EQ(points[0].finished, 1u);
  EXPECT_EQ(points[0].t_ms, clock.now_ms());
}

}  // namespace
}  // namespace sluice
