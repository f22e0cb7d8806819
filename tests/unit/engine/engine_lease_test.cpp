// The engine under the queue's lease contract (queue.h): new URLs enqueued for jobs it is
// fetching, and transitions the queue refuses, never stop a run or lose a job.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/engine_fixture.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

std::string body_for(const std::string& url) { return "\xFF\xD8\xFF body of " + url; }

class EngineLeaseTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    limits_ = HostLimits(3);
  }

  std::vector<JobInput> jobs(int n, const std::string& version) {
    std::vector<JobInput> out;
    for (int i = 0; i < n; ++i) {
      out.push_back({"id" + std::to_string(i),
                     "http://img.test/" + version + "/" + std::to_string(i) + ".jpg", ""});
    }
    return out;
  }

  Status run(FakeFetcher& fetcher) {
    LocalGate gate(limits_);
    Engine engine(queue_, gate, gate, fetcher, *store_, keys_, limits_, clock_, log_, opt_);
    return engine.run();
  }
  std::string queue_owner_;
};

// Regression: a new URL enqueued (by `sluice enqueue`, the daily update) for a job the run
// was fetching voided the run's lease, the run's next group commit was refused whole, and
// the run stopped with up to a commit's worth of stored objects unrecorded.
TEST_F(EngineLeaseTest, NewUrlsForJobsBeingFetchedAreFetchedAfterTheAttempt) {
  ASSERT_TRUE(queue_.enqueue(jobs(20, "v1"), clock_.now_ms()).ok());
  bool updated = false;
  FakeFetcher fetcher(clock_, [&](const FetchRequest& r, int) {
    if (!updated) {
      // The first answer: every job is leased (buffered or in flight) by now.
      updated = true;
      auto e = queue_.enqueue(jobs(20, "v2"), clock_.now_ms());
      EXPECT_TRUE(e.ok());
      EXPECT_EQ(e->requeued, 20u);
    }
    FakeResponse resp;
    resp.body = body_for(r.url);
    return resp;
  });
  Status s = run(fetcher);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  auto st = queue_.stats();
  EXPECT_EQ(st->all.done, 20u);
  EXPECT_EQ(st->all.total(), 20u);
  ASSERT_TRUE(queue_
                  .scan([&](const JobRecord& r) {
                    EXPECT_EQ(r.state, JobState::done) << r.id;
                    EXPECT_THAT(r.url, ::testing::HasSubstr("/v2/")) << r.id;
                    EXPECT_EQ(r.manifest.sha256, sha256_hex(body_for(r.url))) << r.id;
                    EXPECT_EQ(r.attempts, 1) << r.id;
                    EXPECT_EQ(stored(r.manifest.key), body_for(r.url)) << r.id;
                    return true;
                  })
                  .ok());
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

// A transition the queue refuses (here: the lease was taken back under the run) is logged
// and dropped alone; the rest of the commit stands and the run goes on.
TEST_F(EngineLeaseTest, AStaleTransitionIsDroppedAloneAndTheRunGoesOn) {
  ASSERT_TRUE(queue_.enqueue(jobs(10, "v1"), clock_.now_ms()).ok());
  bool reclaimed = false;
  FakeFetcher fetcher(clock_, [&](const FetchRequest& r, int) {
    if (!reclaimed) {
      reclaimed = true;
      queue_.set_owner("thief");  // another handle takes every lease back...
      EXPECT_EQ(*queue_.reclaim(clock_.now_ms(), true), 10u);
      auto taken = queue_.lease(LeaseRequest{1, clock_.now_ms(), 600'000, {}});
      EXPECT_EQ(taken->size(), 1u);  // ... and keeps one of them leased
      queue_.set_owner(queue_owner_);
    }
    FakeResponse resp;
    resp.body = body_for(r.url);
    return resp;
  });
  queue_owner_ = queue_.owner();
  Status s = run(fetcher);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  auto st = queue_.stats();
  EXPECT_EQ(st->all.leased, 1u);  // the thief's
  EXPECT_EQ(st->all.done, 9u);
  int warned = 0;
  for (const auto& line : log_.lines()) {
    if (line.find("refused a stale transition") != std::string::npos) ++warned;
  }
  EXPECT_GE(warned, 1);
}

}  // namespace
}  // namespace sluice
