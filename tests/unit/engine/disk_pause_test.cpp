#include "engine/disk_pause.h"

#include <gtest/gtest.h>

#include <limits>

namespace sluice {
namespace {

using State = DiskPause::State;

const Error kFull = make_error(Reason::disk_full, "cannot write '/s/a.part': No space left");
const Error kRo = make_error(Reason::read_only, "cannot create '/s/b.part': Read-only");

TEST(DiskPause, ClearLetsEverythingThrough) {
  DiskPause p(10'000, 250, 5'000);
  EXPECT_TRUE(p.clear());
  EXPECT_EQ(p.fetch_budget(7), std::numeric_limits<size_t>::max());
  EXPECT_FALSE(p.probe_due(1'000'000));
  EXPECT_FALSE(p.expired(1'000'000));
  EXPECT_EQ(p.next_wake_ms(), std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(p.written(5));  // nothing to end
}

TEST(DiskPause, OneEpisodeHowEverManyFaults) {
  DiskPause p(10'000, 250, 5'000);
  EXPECT_TRUE(p.fault(kFull, 100));  // begins: log it
  EXPECT_FALSE(p.fault(kFull, 101));
  EXPECT_FALSE(p.fault(kRo, 102));
  EXPECT_EQ(p.state(), State::paused);
  EXPECT_EQ(p.first_cause().reason, Reason::disk_full);
  EXPECT_EQ(p.last_cause().reason, Reason::read_only);
  EXPECT_EQ(p.episodes(), 1u);
  EXPECT_EQ(p.fetch_budget(0), 0u);
  EXPECT_EQ(p.next_probe_ms(), 350);  // faults under way do not push the probe back
}

TEST(DiskPause, ProbesBackOffDoublingToTheCap) {
  DiskPause p(600'000, 250, 5'000);
  ASSERT_TRUE(p.fault(kFull, 0));
  int64_t now = 0;
  std::vector<int64_t> gaps;
  for (int i = 0; i < 8; ++i) {
    EXPECT_FALSE(p.probe_due(p.next_probe_ms() - 1));
    now = p.next_probe_ms();
    ASSERT_TRUE(p.probe_due(now));
    p.probe_failed(kFull, now);
    gaps.push_back(p.next_probe_ms() - now);
  }
  EXPECT_EQ(gaps, (std::vector<int64_t>{500, 1'000, 2'000, 4'000, 5'000, 5'000, 5'000, 5'000}));
}

TEST(DiskPause, APassedProbeTriesOneTransferAndAWriteEndsTheEpisode) {
  DiskPause p(600'000, 250, 5'000);
  ASSERT_TRUE(p.fault(kFull, 1'000));
  p.probe_passed();
  EXPECT_EQ(p.state(), State::trying);
  EXPECT_EQ(p.fetch_budget(0), 1u);
  EXPECT_EQ(p.fetch_budget(1), 0u);
  EXPECT_FALSE(p.probe_due(1'000'000));  // nothing to probe while trying
  EXPECT_TRUE(p.written(4'000));
  EXPECT_TRUE(p.clear());
  EXPECT_EQ(p.episode_ms(), 3'000);
  EXPECT_TRUE(p.fault(kRo, 5'000));  // a later fault is a new episode
  EXPECT_EQ(p.episodes(), 2u);
}

TEST(DiskPause, AWriteWhilePausedDoesNotEndIt) {
  DiskPause p(600'000, 250, 5'000);
  ASSERT_TRUE(p.fault(kFull, 0));
  EXPECT_FALSE(p.written(10));  // a small body that fitted is no proof
  EXPECT_EQ(p.state(), State::paused);
}

TEST(DiskPause, AFaultWhileTryingPausesAgainAndWaitsLonger) {
  DiskPause p(600'000, 250, 5'000);
  ASSERT_TRUE(p.fault(kFull, 0));
  p.probe_passed();
  EXPECT_FALSE(p.fault(kFull, 300));  // same episode
  EXPECT_EQ(p.state(), State::paused);
  EXPECT_EQ(p.next_probe_ms(), 800);
}

TEST(DiskPause, ExpiresAfterTheWaitCountedFromTheFirstFault) {
  DiskPause p(30'000, 250, 5'000);
  ASSERT_TRUE(p.fault(kFull, 1'000));
  p.probe_passed();
  ASSERT_FALSE(p.fault(kFull, 20'000));
  EXPECT_FALSE(p.expired(30'999));
  EXPECT_TRUE(p.expired(31'000));
  EXPECT_EQ(p.next_wake_ms(), 20'500);  // the next probe comes first
  p.probe_passed();
  EXPECT_EQ(p.next_wake_ms(), 31'000);  // trying: only expiry is a time
}

TEST(DiskPause, ZeroWaitExpiresAtOnce) {
  DiskPause p(0, 250, 5'000);
  ASSERT_TRUE(p.fault(kFull, 7));
  EXPECT_TRUE(p.expired(7));
}

}  // namespace
}  // namespace sluice
