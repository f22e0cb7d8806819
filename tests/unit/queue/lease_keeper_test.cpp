// LeaseKeeper: a worker's job leases on a shared Redis queue live as long as the worker,
// and a dead worker's expire and go to the others.
#include "queue/lease_keeper.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "queue/queue_fixture.h"

namespace sluice {
namespace {

using namespace sluice::testing;

int64_t real_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <typename F>
bool eventually(F cond, int64_t timeout_ms) {
  const int64_t end = real_ms() + timeout_ms;
  while (real_ms() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

LeaseRequest req(int64_t now) {
  LeaseRequest r;
  r.max = 10;
  r.now_ms = now;
  r.lease_ms = 600'000;  // the keeper leases for its own TTL instead
  return r;
}

// Two workers' handles on one Redis queue (null when Redis is not there), a clock and a log.
class LeaseKeeperTest : public ::testing::Test {
 protected:
  struct Workers {
    std::unique_ptr<RedisQueue> first, second;
  };
  Workers workers(const std::string& first, const std::string& second) {
    return {QueueMaker<RedisQueue>::make(dir_, first), QueueMaker<RedisQueue>::make(dir_, second)};
  }

  TempDir dir_;
  SystemClock clock_;
  MemoryLogger log_;
};

TEST_F(LeaseKeeperTest, KeepsTheWorkersLeasesAliveWhileItLives) {
  auto [a, b] = workers("worker-a", "worker-b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->enqueue({job("1", "http://img.example/1.jpg")}, clock_.now_ms()).ok());
  const int64_t ttl = 1'000;  // renewed every 333 ms: a loaded machine may delay that a bit
  LeaseKeeper keeper(*a, ttl, clock_, log_);
  auto jobs = keeper.lease(req(clock_.now_ms()));
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  const int64_t start = real_ms();
  // Three TTLs: another worker never finds the lease expired.
  while (real_ms() - start < 3 * ttl) {
    auto reclaimed = b->reclaim(clock_.now_ms(), /*all_leases=*/false);
    ASSERT_TRUE(reclaimed.ok());
    EXPECT_EQ(*reclaimed, 0u);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(all_applied(keeper, {Transition::released(jobs->front().seq)}, clock_.now_ms()));
  EXPECT_EQ(keeper.leases_lost(), 0u);
}

// A worker with nothing to do waits while others hold leases: at kOthersPollMs while they
// hold many, at kFewLeasedPollMs once they hold kFewLeased or fewer (the end of the run).
TEST_F(LeaseKeeperTest, LooksAgainSoonerWhenTheOthersHoldFewLeases) {
  auto [other, self] = workers("worker-other", "worker-self");
  ASSERT_TRUE(other && self);
  const size_t many = LeaseKeeper::kFewLeased + 1;
  std::vector<JobInput> jobs;
  for (size_t i = 0; i < many; ++i) {
    jobs.push_back(job(std::to_string(i), "http://img.example/" + std::to_string(i) + ".jpg"));
  }
  ASSERT_TRUE(other->enqueue(jobs, clock_.now_ms()).ok());
  LeaseRequest r = req(clock_.now_ms());
  r.max = many;
  auto taken = other->lease(r);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->size(), many);
  LeaseKeeper keeper(*self, 10'000, clock_, log_);
  auto look = [&](int64_t poll_ms) {
    const int64_t before = clock_.now_ms();
    auto next = keeper.next_ready_ms();
    const int64_t after = clock_.now_ms();
    ASSERT_TRUE(next.ok());
    ASSERT_TRUE(next->has_value());
    EXPECT_GE(**next, before + poll_ms);
    EXPECT_LE(**next, after + poll_ms);
  };
  look(LeaseKeeper::kOthersPollMs);
  std::vector<Transition> done;
  // Dead-lettered (a released job would be ready, and the worker would lease it): kFewLeased
  // left with the other worker.
  done.push_back(Transition::buried(taken->front().seq, http_error(404, "gone")));
  auto applied = other->apply(done, clock_.now_ms());
  ASSERT_TRUE(applied.ok());
  look(LeaseKeeper::kFewLeasedPollMs);
}

TEST_F(LeaseKeeperTest, ReclaimsTheLeasesOfAWorkerThatStoppedRenewing) {
  auto [dead, live] = workers("worker-dead", "worker-live");
  ASSERT_TRUE(dead && live);
  ASSERT_TRUE(dead->enqueue({job("1", "http://img.example/1.jpg")}, clock_.now_ms()).ok());
  LeaseRequest r = req(clock_.now_ms());
  r.lease_ms = 300;
  auto taken = dead->lease(r);  // and never renewed: the worker died
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->size(), 1u);
  LeaseKeeper keeper(*live, 300, clock_, log_);
  // While the dead worker's lease may still be live, the keeper's worker is not done:
  const int64_t asked_at = clock_.now_ms();
  auto next = keeper.next_ready_ms();
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->has_value());
  // ... and looks again soon (the other holds few leases), not at every turn of its loop.
  if (next->has_value()) {
    EXPECT_GE(**next, asked_at + LeaseKeeper::kFewLeasedPollMs);
  }
  // The lease expires, the keeper reclaims it, and the live worker gets the job.
  std::vector<Job> got;
  ASSERT_TRUE(eventually(
      [&] {
        auto j = keeper.lease(req(clock_.now_ms()));
        if (j.ok()) got = *j;
        return !got.empty();
      },
      5'000));
  EXPECT_EQ(got.front().id, "1");
  EXPECT_TRUE(all_applied(keeper, {Transition::released(got.front().seq)}, clock_.now_ms()));
}

}  // namespace
}  // namespace sluice
