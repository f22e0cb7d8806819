// Local faults in the engine: a full or read-only disk under the spool or the folder store
// pauses fetching, charges nothing, dead-letters nothing, is logged once, resumes when the
// disk recovers, and stops the run cleanly after --disk-wait (design.md, "Failures").
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "engine/engine_fixture.h"
#include "store/faulty_store.h"
#include "store/folder_store.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kOutageMs = 60'000;

class EngineDiskTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    faulty_ = std::make_unique<FaultyStore>(*store_);
    opt_.backoff_base_ms = 100;
    opt_.backoff_cap_ms = 1000;
    // While the disk is bad, probes fail like the real spool would.
    faulty_->fail_probes([this] { return disk_bad(); }, spool_full());
  }
  bool disk_bad() const { return clock_.now_ms() < bad_until_; }
  Error spool_full() const {
    return make_error(Reason::disk_full, "cannot write temp file '" + store_->spool_dir().string() +
                                             "/fetch-1-1.part': No space left on device");
  }
  // The disk goes bad from now for ms (forever when ms < 0); first_bad_ is when it began
  // (FakeClock::now_ms, as FakeFetcher::start_ms()).
  void disk_goes_bad(int64_t ms) {
    first_bad_ = clock_.now_ms();
    bad_until_ = ms < 0 ? INT64_MAX : first_bad_ + ms;
  }

  void enqueue(int n, const std::string& host = "img.test:80") {
    add_jobs(n, "j-", "http://" + host + "/p/", host);
  }

  Status run(FakeFetcher& fetcher, int cap = 3, Engine** engine_out = nullptr) {
    limits_ = HostLimits(cap);
    LocalGate gate(limits_, circuit_, &clock_);
    Engine engine(queue_, gate, gate, fetcher, *faulty_, keys_, limits_, clock_, log_, opt_);
    if (engine_out) *engine_out = &engine;
    Status s = engine.run();
    progress_ = engine.progress();
    gate_state_ = gate.snapshot();
    return s;
  }

  int lines_with(const std::string& level, const std::string& text) const {
    auto lines = log_.lines();
    return static_cast<int>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.rfind(level + ": ", 0) == 0 && l.find(text) != std::string::npos;
    }));
  }

  // Transfers started while the disk was bad, after the engine had heard of it.
  int starts_while_bad(const FakeFetcher& f) const {
    const auto& t = f.start_ms();
    return static_cast<int>(std::count_if(
        t.begin(), t.end(), [&](int64_t ms) { return ms >= first_bad_ && ms < bad_until_; }));
  }

  std::unique_ptr<FaultyStore> faulty_;
  EngineProgress progress_;
  std::map<std::string, HostGateState> gate_state_;
  int64_t first_bad_ = -1;
  int64_t bad_until_ = -1;
};

// Regression: a write error on the temp file was `io`, a transient failure of the job: each
// was charged, retried at once and dead-lettered after max attempts.
TEST_F(EngineDiskTest, AFullSpoolPausesFetchingChargesNothingAndResumes) {
  enqueue(40);
  int served = 0;
  FakeFetcher fetcher(clock_, [&](const FetchRequest& r, int) {
    FakeResponse resp;
    if (++served == 10) disk_goes_bad(kOutageMs);
    if (disk_bad()) {
      resp.error = make_error(Reason::disk_full, "cannot write temp file '" + r.temp_file.string() +
                                                     "': No space left on device");
    }
    return resp;
  });
  ASSERT_TRUE(run(fetcher).ok());
  StateCounts c = counts();
  EXPECT_EQ(c.done, 40u);
  EXPECT_EQ(c.dead, 0u);
  for (const auto& r : records()) EXPECT_EQ(r.attempts, 1) << r.id;
  EXPECT_EQ(progress_.retried, 0u);
  EXPECT_GE(progress_.disk_deferred, 1u);
  // Paused: after the first fault no transfer started until the disk was good again.
  EXPECT_EQ(starts_while_bad(fetcher), 0);
  EXPECT_GE(clock_.now_ms(), bad_until_);
  // Said once, at warn, with the cause and the path; and once when it cleared.
  EXPECT_EQ(lines_with("warn", "local disk fault"), 1);
  EXPECT_EQ(lines_with("warn", "disk_full: cannot write temp file '" + root_.string()), 1);
  EXPECT_EQ(lines_with("info", "disk writable again, resuming"), 1);
  // Probed with backoff (every 0.25 s doubling to 5 s over a minute), not in a hot loop.
  EXPECT_GE(faulty_->probes(), 5);
  EXPECT_LE(faulty_->probes(), 30);
  // The provider saw nothing wrong: no circuit opened, no slow-down.
  EXPECT_EQ(gate_state_["img.test:80"].circuits_opened, 0u);
  EXPECT_EQ(gate_state_["img.test:80"].slow_downs, 0u);
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

// Regression: a store that turned read-only mid-run either stopped the run (EROFS was
// store_denied) or was retried with a warning per job and per try.
TEST_F(EngineDiskTest, AStoreTurningReadOnlyIsWaitedOutWithoutRefetching) {
  enqueue(40);
  int puts = 0;
  faulty_->fail_if(
      [&](const PutRequest&) {
        if (++puts == 10) disk_goes_bad(kOutageMs);
        return disk_bad();
      },
      make_error(Reason::read_only, "cannot rename '" + root_.string() +
                                        "/.sluice-tmp/x.part': Read-only file system"));
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  ASSERT_TRUE(run(fetcher).ok());
  StateCounts c = counts();
  EXPECT_EQ(c.done, 40u);
  EXPECT_EQ(c.dead, 0u);
  EXPECT_EQ(fetcher.started(), 40u);  // each body waited in the spool for the disk
  EXPECT_EQ(starts_while_bad(fetcher), 0);
  for (const auto& r : records()) EXPECT_EQ(r.attempts, 1) << r.id;
  EXPECT_EQ(lines_with("warn", "local disk fault"), 1);
  EXPECT_EQ(lines_with("warn", "read_only: cannot rename '" + root_.string()), 1);
  EXPECT_EQ(lines_with("warn", "store failed"), 0);
  EXPECT_EQ(lines_with("info", "disk writable again, resuming"), 1);
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

TEST_F(EngineDiskTest, PermissionLostOnTheStoreIsWaitedOutToo) {
  enqueue(20);
  int puts = 0;
  faulty_->fail_if(
      [&](const PutRequest&) {
        if (++puts == 5) disk_goes_bad(kOutageMs);
        return disk_bad();
      },
      make_error(Reason::local_denied,
                 "cannot create folder '" + root_.string() + "/a': Permission denied"));
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  ASSERT_TRUE(run(fetcher).ok());
  EXPECT_EQ(counts().done, 20u);
  EXPECT_EQ(counts().dead, 0u);
  EXPECT_EQ(lines_with("warn", "local_denied: cannot create folder"), 1);
}

// A fault that never clears ends the run after --disk-wait: an error naming the cause and
// the path, every unfinished job queued and uncharged, nothing dead, no temp file left.
TEST_F(EngineDiskTest, AFaultThatNeverClearsStopsTheRunAfterTheDiskWait) {
  opt_.disk_wait_ms = 30'000;
  enqueue(20);
  int served = 0;
  FakeFetcher fetcher(clock_, [&](const FetchRequest&, int) {
    FakeResponse resp;
    if (++served == 5) disk_goes_bad(-1);
    if (disk_bad()) resp.error = spool_full();
    return resp;
  });
  Status s = run(fetcher);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::disk_full);
  EXPECT_NE(s.error().detail.find(store_->spool_dir().string()), std::string::npos)
      << s.error().detail;
  EXPECT_NE(s.error().detail.find("--disk-wait"), std::string::npos) << s.error().detail;
  EXPECT_GE(clock_.now_ms() - first_bad_, 30'000);
  EXPECT_LT(clock_.now_ms() - first_bad_, 40'000);
  StateCounts c = counts();
  EXPECT_EQ(c.dead, 0u);
  EXPECT_EQ(c.leased, 0u);
  EXPECT_EQ(c.done, 4u);
  EXPECT_EQ(c.queued, 16u);
  for (const auto& r : records()) {
    if (r.state == JobState::queued) {
      EXPECT_EQ(r.attempts, 0) << r.id;
    }
  }
  EXPECT_EQ(lines_with("error", "did not clear within 30.0 s"), 1);
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

TEST_F(EngineDiskTest, StopDuringADiskPauseQueuesEveryUnfinishedJob) {
  enqueue(20);
  Engine* engine = nullptr;
  int served = 0;
  FakeFetcher fetcher(clock_, [&](const FetchRequest&, int) {
    FakeResponse resp;
    if (++served == 5) disk_goes_bad(-1);
    if (disk_bad()) resp.error = spool_full();
    if (served == 6) engine->request_stop();  // a transfer is still under way
    return resp;
  });
  ASSERT_TRUE(run(fetcher, 3, &engine).ok());
  StateCounts c = counts();
  EXPECT_EQ(c.dead, 0u);
  EXPECT_EQ(c.leased, 0u);
  EXPECT_EQ(c.done + c.queued, 20u);
  for (const auto& r : records()) {
    if (r.state == JobState::queued) {
      EXPECT_EQ(r.attempts, 0) << r.id;
    }
  }
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

// The probe passing is not proof: one transfer at a time goes until a body is written.
TEST_F(EngineDiskTest, AfterTheProbePassesOneTransferAtATimeTriesTheDisk) {
  enqueue(30);
  faulty_->clear_faults();  // probes pass at once, but real bodies still fail for a while
  int served = 0;
  FakeFetcher fetcher(clock_, [&](const FetchRequest&, int) {
    FakeResponse resp;
    if (++served == 5) disk_goes_bad(20'000);
    if (disk_bad()) resp.error = spool_full();
    return resp;
  });
  ASSERT_TRUE(run(fetcher, 5).ok());
  EXPECT_EQ(counts().done, 30u);
  EXPECT_EQ(counts().dead, 0u);
  EXPECT_EQ(lines_with("warn", "local disk fault"), 1);  // one episode, however many tries
  EXPECT_EQ(lines_with("info", "disk writable again"), 1);
  for (const auto& r : records()) EXPECT_EQ(r.attempts, 1) << r.id;
  // Tries alone and with growing gaps (0.25 s doubling to 5 s) over 20 s: a handful.
  std::vector<int64_t> tries;
  for (int64_t t : fetcher.start_ms()) {
    if (t >= first_bad_ && t < bad_until_) tries.push_back(t);
  }
  EXPECT_GE(tries.size(), 3u);
  EXPECT_LE(tries.size(), 12u);
  for (size_t i = 1; i < tries.size(); ++i) EXPECT_GE(tries[i] - tries[i - 1], 250) << i;
}

}  // namespace
}  // namespace sluice
