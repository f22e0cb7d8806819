#include "cli/progress_view.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

EngineProgress progress(uint64_t done, uint64_t dead, uint64_t at_start, int64_t elapsed_ms) {
  EngineProgress p;
  p.done = done;
  p.dead = dead;
  p.queued_at_start = at_start;
  p.elapsed_ms = elapsed_ms;
  p.in_flight = 3;
  return p;
}

HostGateState host(int in_flight, int cap) {
  HostGateState s;
  s.in_flight = in_flight;
  s.cap = cap;
  s.effective_cap = cap;
  return s;
}

TEST(ProgressViewTest, BarPercentRateAndEta) {
  auto lines = progress_lines(progress(40, 10, 200, 10'000), {}, 0, 200);
  ASSERT_EQ(lines.size(), 1u);
  // 50 of 200 finished in 10 s: 25%, 5/s, 150 left: 30 s.
  EXPECT_EQ(lines[0].substr(0, 26), "[######------------------]");
  EXPECT_NE(lines[0].find(" 25.0%  50/200"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("5.0/s"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("eta 30s"), std::string::npos) << lines[0];
}

TEST(ProgressViewTest, JobsAddedLaterCountInTheTotal) {
  auto lines = progress_lines(progress(100, 0, 100, 10'000), {}, 300, 200);
  EXPECT_NE(lines[0].find(" 25.0%  100/400"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("eta 30s"), std::string::npos) << lines[0];
}

TEST(ProgressViewTest, OneLinePerHostWhenThereAreSeveral) {
  std::map<std::string, HostGateState> hosts{{"a.example:443", host(5, 20)},
                                             {"b.example:443", host(20, 20)}};
  hosts["b.example:443"].circuit = CircuitState::open;
  auto lines = progress_lines(progress(1, 0, 10, 1000), hosts, 0, 200);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1],
            "  b.example:443 [####################]  20/20   CIRCUIT open");  // busiest first
  EXPECT_EQ(lines[2], "  a.example:443 [#####---------------]   5/20 ");
  EXPECT_EQ(progress_lines(progress(1, 0, 10, 1000), {{"a:1", host(1, 2)}}, 0, 200).size(), 1u);
}

TEST(ProgressViewTest, ManyHostsAreCutAndLinesFitTheWidth) {
  std::map<std::string, HostGateState> hosts;
  for (int i = 0; i < 12; ++i) hosts["host" + std::to_string(i) + ".example:80"] = host(i, 20);
  auto lines = progress_lines(progress(1, 0, 10, 1000), hosts, 0, 40);
  ASSERT_EQ(lines.size(), 1 + kMaxHostLines + 1);
  EXPECT_EQ(lines.back(), "  ... and 4 more hosts");
  for (const auto& l : lines) EXPECT_LE(l.size(), 40u) << l;
}

TEST(ProgressViewTest, NothingToDoIsDone) {
  auto lines = progress_lines(progress(0, 0, 0, 1000), {}, 0, 200);
  EXPECT_NE(lines[0].find("100.0%"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("eta 0s"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace sluice
