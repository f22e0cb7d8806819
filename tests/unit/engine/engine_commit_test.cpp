// Group commits: outcomes are batched while transfers run, and committed at once when
// nothing is left running (seen: every run ended up to one commit interval after its last
// object was stored, 1% of a 5 s capped run at the default 50 ms).
#include <gtest/gtest.h>

#include "engine/engine_fixture.h"
#include "engine/forwarding_queue.h"

namespace sluice {
namespace {

// Counts the engine's commits (apply calls that carry transitions).
class CommitCountingQueue final : public ForwardingQueue {
 public:
  Result<ApplyResult> apply(const std::vector<Transition>& batch, int64_t now_ms) override {
    if (!batch.empty()) ++commits;
    return ForwardingQueue::apply(batch, now_ms);
  }
  int commits = 0;
};

class EngineCommitTest : public EngineFixture {};

TEST_F(EngineCommitTest, TheLastOutcomeIsCommittedWithoutWaitingForTheInterval) {
  opt_.commit_interval_ms = 10'000;
  opt_.progress_interval_ms = 10'000;
  add_jobs(3, "id", "http://h.example/img/");
  limits_ = HostLimits(1);
  LocalGate gate(limits_, circuit_, &clock_);
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  Engine engine(queue_, gate, gate, fetcher, *store_, keys_, limits_, clock_, log_, opt_);
  const int64_t start = clock_.now_ms();
  Status s = engine.run();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(counts().done, 3u);
  const int64_t took = clock_.now_ms() - start;
  EXPECT_LT(took, 1'000) << "three 1 ms transfers took " << took
                         << " ms: the run waited for the commit interval";
}

// While transfers run, outcomes are still grouped: one commit covers several of them.
TEST_F(EngineCommitTest, OutcomesWhileTransfersRunAreGrouped) {
  opt_.commit_interval_ms = 10'000;
  CommitCountingQueue queue;
  add_jobs(queue, 40, "id", "http://h.example/img/");
  limits_ = HostLimits(4);
  LocalGate gate(limits_, circuit_, &clock_);
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  Engine engine(queue, gate, gate, fetcher, *store_, keys_, limits_, clock_, log_, opt_);
  Status s = engine.run();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  auto stats = queue.stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->all.done, 40u);
  EXPECT_LT(queue.commits, 20) << "about one commit per outcome: nothing was grouped";
}

}  // namespace
}  // namespace sluice
