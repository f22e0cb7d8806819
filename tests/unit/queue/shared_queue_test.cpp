// What the backends that several handles share (SqliteQueue: processes on one file;
// RedisQueue: machines on one server) must do alike: the queue outlives a handle, each
// handle owns its own leases, and `dlq replay` from one handle works while another leases
// and applies, interleaved and really at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "queue_fixture.h"

namespace sluice::testing {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace shared_queue_test {

using ::testing::HasSubstr;

std::vector<JobInput> jobs(int n) {
  std::vector<JobInput> out;
  for (int i = 0; i < n; ++i) out.push_back(job("j" + std::to_string(i), "http://a.example/"));
  return out;
}

LeaseRequest lease_req(size_t max, int64_t now) {
  LeaseRequest req;
  req.max = max;
  req.now_ms = now;
  return req;
}

DeadFilter http_404() { return DeadFilter{"http_404", "", "", false}; }

template <class Q>
class SharedQueueTest : public ::testing::Test {
 protected:
  // Another handle on this test's queue, with its own lease owner id.
  std::unique_ptr<Q> open_as(const std::string& owner) { return QueueMaker<Q>::make(dir_, owner); }

  TempDir dir_;
};
TYPED_TEST_SUITE(SharedQueueTest, SharedQueueTypes, QueueTypeNames);

TYPED_TEST(SharedQueueTest, DataSurvivesTheHandle) {
  {
    auto q = this->open_as("owner-a");
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(q->enqueue({job("1", "http://a.example/1"), job("2", "http://a.example/2"),
                            job("3", "http://a.example/3")},
                           kT0)
                    .ok());
    auto jobs = q->lease(lease_req(2, kT0));
    ASSERT_EQ(jobs->size(), 2u);
    ManifestEntry m{"k1", "sha", 9, "image/png", "e", "lm"};
    ASSERT_TRUE(all_applied(*q, {complete((*jobs)[0].seq, m)}, kT0 + 1));
  }
  auto q = this->open_as("owner-b");
  ASSERT_NE(q, nullptr);
  auto st = q->stats();
  EXPECT_EQ(st->all.done, 1u);
  EXPECT_EQ(st->all.leased, 1u);
  EXPECT_EQ(st->all.queued, 1u);
  std::vector<JobRecord> rows;
  ASSERT_TRUE(q->scan([&](const JobRecord& r) {
                 rows.push_back(r);
                 return true;
               }).ok());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].manifest.key, "k1");
  EXPECT_EQ(rows[0].manifest.content_type, "image/png");
  EXPECT_EQ(rows[0].attempts, 1);
  // The lease of the closed handle is another owner's: only reclaim frees it.
  EXPECT_EQ(*q->reclaim(kT0 + 2, true), 1u);
  EXPECT_EQ(q->stats()->all.queued, 2u);
}

TYPED_TEST(SharedQueueTest, TwoHandlesOwnTheirOwnLeases) {
  auto qa = this->open_as("owner-a");
  auto qb = this->open_as("owner-b");
  ASSERT_TRUE(qa && qb);
  ASSERT_TRUE(qa->enqueue({job("1", "http://a.example/1")}, kT0).ok());
  auto jobs = qb->lease(lease_req(64, kT0));
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_TRUE(qa->lease(lease_req(64, kT0))->empty());
  auto refused = qa->apply({complete((*jobs)[0].seq)}, kT0);
  ASSERT_TRUE(refused.ok());
  ASSERT_EQ(refused->rejected.size(), 1u);
  EXPECT_THAT(refused->rejected[0].detail, HasSubstr("leased by owner-b"));
  EXPECT_TRUE(all_applied(*qb, {complete((*jobs)[0].seq)}, kT0));
  EXPECT_EQ(qa->stats()->all.done, 1u);
}

// Replay between the run's lease and its apply, and between two of its applies: the run's
// leases are untouched and its transitions still apply.
TYPED_TEST(SharedQueueTest, ReplayInterleavedWithAnotherHandlesLeaseAndApply) {
  auto run = this->open_as("run");
  auto cli = this->open_as("cli");
  ASSERT_TRUE(run && cli);
  ASSERT_TRUE(run->enqueue(jobs(20), kT0).ok());
  auto first = run->lease(lease_req(10, kT0));
  ASSERT_EQ(first->size(), 10u);
  std::vector<Transition> burials;
  for (size_t i = 0; i < 5; ++i) burials.push_back(bury((*first)[i].seq, "http_404"));
  ASSERT_TRUE(all_applied(*run, burials, kT0 + 1));

  auto second = run->lease(lease_req(10, kT0 + 2));  // the other 10 jobs
  ASSERT_EQ(second->size(), 10u);
  // Five dead, fifteen leased by the run: replay takes back exactly the dead.
  EXPECT_EQ(*cli->replay(http_404(), kT0 + 3), 5u);
  EXPECT_EQ(*cli->replay(DeadFilter{"", "", "", true}, kT0 + 3), 0u);
  auto st = cli->stats();
  EXPECT_EQ(st->all.queued, 5u);
  EXPECT_EQ(st->all.leased, 15u);

  // The run applies to every lease it holds, with a burial among them.
  std::vector<Transition> batch;
  for (size_t i = 5; i < 10; ++i) batch.push_back(complete((*first)[i].seq));
  for (const Job& j : *second) batch.push_back(complete(j.seq));
  batch.back() = bury(second->back().seq, "http_404");
  ASSERT_TRUE(all_applied(*run, batch, kT0 + 4));
  EXPECT_EQ(*cli->replay(http_404(), kT0 + 5), 1u);

  // The replayed jobs are the run's to lease again, ready at the replay's time.
  auto again = run->lease(lease_req(20, kT0 + 5));
  ASSERT_EQ(again->size(), 6u);
  for (const Job& j : *again) EXPECT_EQ(j.attempts, 0);
  std::vector<Transition> done;
  for (const Job& j : *again) done.push_back(complete(j.seq));
  ASSERT_TRUE(all_applied(*run, done, kT0 + 6));
  st = cli->stats();
  EXPECT_EQ(st->all.done, 20u);
  EXPECT_EQ(st->all.total(), 20u);
}

// Two threads, two handles, really at once: an engine-like loop buries every job the
// first time it leases it and completes it the second time; the other replays http_404
// whenever it sees dead jobs. Every apply succeeds and every job ends done, once.
TYPED_TEST(SharedQueueTest, ReplayConcurrentWithARunOnAnotherHandle) {
  constexpr int kJobs = 600;
  auto run = this->open_as("run");
  auto cli = this->open_as("cli");
  ASSERT_TRUE(run && cli);
  ASSERT_TRUE(run->enqueue(jobs(kJobs), kT0).ok());

  std::atomic<bool> failed{false};
  std::atomic<uint64_t> replayed{0};
  std::thread replayer([&] {
    for (;;) {
      auto st = cli->stats();
      if (!st.ok()) {
        ADD_FAILURE() << st.error().to_string();
        failed = true;
        return;
      }
      if (st->all.done == kJobs || failed) return;
      if (st->all.dead == 0) {
        std::this_thread::yield();
        continue;
      }
      auto n = cli->replay(http_404(), kT0);
      if (!n.ok()) {
        ADD_FAILURE() << n.error().to_string();
        failed = true;
        return;
      }
      replayed += *n;
    }
  });

  // The engine's side. On an error it stops the replayer too (no ASSERT before join).
  auto fail = [&](const Error& e) {
    ADD_FAILURE() << e.to_string();
    failed = true;
  };
  std::set<std::string> buried;
  uint64_t applied = 0;
  while (!failed) {
    auto leased = run->lease(lease_req(16, kT0));
    if (!leased.ok()) {
      fail(leased.error());
      break;
    }
    if (leased->empty()) {
      auto st = run->stats();
      if (!st.ok()) fail(st.error());
      if (!st.ok() || st->all.done == kJobs) break;
      std::this_thread::yield();
      continue;
    }
    std::vector<Transition> batch;
    for (const Job& j : *leased) {
      EXPECT_EQ(j.attempts, 0) << j.id;  // new, or replayed with its attempts reset
      bool first = buried.insert(j.id).second;
      batch.push_back(first ? bury(j.seq, "http_404") : complete(j.seq));
    }
    auto r = run->apply(batch, kT0);
    if (!r.ok()) fail(r.error());
    if (r.ok() && !r->rejected.empty()) fail(make_error(Reason::internal, r->rejected[0].detail));
    applied += batch.size();
  }
  replayer.join();
  ASSERT_FALSE(failed);
  EXPECT_EQ(replayed.load(), static_cast<uint64_t>(kJobs));
  EXPECT_EQ(applied, 2u * kJobs);
  auto st = cli->stats();
  EXPECT_EQ(st->all.done, static_cast<uint64_t>(kJobs));
  EXPECT_EQ(st->all.total(), static_cast<uint64_t>(kJobs));
  ASSERT_TRUE(cli->scan([&](const JobRecord& r) {
                   EXPECT_EQ(r.attempts, 1) << r.id;
                   return true;
                 })
                  .ok());
}

}  // namespace shared_queue_test
}  // namespace sluice::testing
