// Enqueue (idempotent, re-queue on a new URL) and lease (order, max, not_before,
// skip_hosts), on every Queue backend.
#include <gtest/gtest.h>

#include "queue_fixture.h"

namespace sluice::testing {
namespace {

template <class Q>
class EnqueueLeaseTest : public QueueTest<Q> {};
TYPED_TEST_SUITE(EnqueueLeaseTest, QueueTypes, QueueTypeNames);

TYPED_TEST(EnqueueLeaseTest, NewJobsAreQueued) {
  auto s = this->enqueue({job("1", "http://a.example/1.jpg"), job("2", "http://a.example/2.jpg"),
                          job("3", "https://b.example/3.jpg")});
  EXPECT_EQ(s.inserted, 3u);
  EXPECT_EQ(s.unchanged, 0u);
  EXPECT_EQ(s.requeued, 0u);
  auto st = this->stats();
  EXPECT_EQ(st.all.queued, 3u);
  EXPECT_EQ(st.all.total(), 3u);
  EXPECT_EQ(st.by_host["a.example:80"].queued, 2u);
  EXPECT_EQ(st.by_host["b.example:443"].queued, 1u);
  auto r = this->record("3");
  EXPECT_EQ(r.seq, 3);
  EXPECT_EQ(r.state, JobState::queued);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(r.updated_at_ms, kT0);
}

TYPED_TEST(EnqueueLeaseTest, KeepsAGivenHostKey) {
  this->enqueue({JobInput{"1", "http://a.example/1.jpg", "given:1"}});
  EXPECT_EQ(this->record("1").host_key, "given:1");
}

TYPED_TEST(EnqueueLeaseTest, SamePairTwiceIsOneJob) {
  this->enqueue({job("1", "http://a.example/1.jpg")});
  auto s = this->enqueue({job("1", "http://a.example/1.jpg"), job("1", "http://a.example/1.jpg")},
                         kT0 + 5);
  EXPECT_EQ(s.inserted, 0u);
  EXPECT_EQ(s.unchanged, 2u);
  EXPECT_EQ(this->stats().all.total(), 1u);
  EXPECT_EQ(this->record("1").updated_at_ms, kT0);  // untouched
}

TYPED_TEST(EnqueueLeaseTest, SamePairTwiceInOneBatchIsOneJob) {
  auto s = this->enqueue({job("1", "http://a.example/1.jpg"), job("1", "http://a.example/1.jpg")});
  EXPECT_EQ(s.inserted, 1u);
  EXPECT_EQ(s.unchanged, 1u);
  EXPECT_EQ(this->stats().all.total(), 1u);
}

TYPED_TEST(EnqueueLeaseTest, SamePairLeavesADoneJobDone) {
  this->enqueue({job("1", "http://a.example/1.jpg")});
  auto jobs = this->lease(1);
  this->apply_ok({complete(jobs[0].seq, {"k", "sha", 5, "image/jpeg", "e", "lm"})});
  auto s = this->enqueue({job("1", "http://a.example/1.jpg")}, kT0 + 10);
  EXPECT_EQ(s.unchanged, 1u);
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::done);
  EXPECT_EQ(r.manifest.key, "k");
}

TYPED_TEST(EnqueueLeaseTest, NewUrlRequeuesADoneJob) {
  this->enqueue({job("1", "http://a.example/1.jpg")});
  auto jobs = this->lease(1);
  this->apply_ok({complete(jobs[0].seq, {"k", "sha", 5, "image/jpeg", "e", "lm"})});
  auto s = this->enqueue({job("1", "https://b.example/1-v2.jpg")}, kT0 + 10);
  EXPECT_EQ(s.requeued, 1u);
  auto r = this->record("1");
  EXPECT_EQ(r.seq, jobs[0].seq);
  EXPECT_EQ(r.state, JobState::queued);
  EXPECT_EQ(r.url, "https://b.example/1-v2.jpg");
  EXPECT_EQ(r.host_key, "b.example:443");
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(r.manifest.key, "");
  EXPECT_EQ(r.manifest.sha256, "");
  EXPECT_EQ(r.manifest.bytes, 0u);
  auto st = this->stats();
  EXPECT_EQ(st.all.queued, 1u);
  EXPECT_EQ(st.all.done, 0u);
  EXPECT_EQ(st.by_host["b.example:443"].queued, 1u);
  EXPECT_EQ(st.by_host["a.example:80"].total(), 0u);
}

TYPED_TEST(EnqueueLeaseTest, NewUrlRequeuesADeadJob) {
  this->enqueue({job("1", "http://a.example/1.jpg")});
  auto jobs = this->lease(1);
  this->apply_ok({bury(jobs[0].seq, "http_404")});
  this->enqueue({job("1", "http://a.example/1b.jpg")}, kT0 + 10);
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::queued);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(r.error_code, "");
  EXPECT_EQ(r.error_detail, "");
  EXPECT_TRUE(this->stats().dead_by_reason.empty());
  EXPECT_EQ(this->lease(1, kT0 + 10).size(), 1u);
}

TYPED_TEST(EnqueueLeaseTest, RejectsAnEmptyIdAndEnqueuesNothing) {
  auto r =
      this->q().enqueue({job("1", "http://a.example/1.jpg"), job("", "http://a.example/")}, kT0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::bad_input);
  EXPECT_EQ(this->stats().all.total(), 0u);
}

TYPED_TEST(EnqueueLeaseTest, RejectsAnUnparseableUrlWithoutHostKey) {
  auto r = this->q().enqueue({job("1", "http://a.example/1.jpg"), job("2", "ftp://x/y")}, kT0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::bad_url);
  EXPECT_EQ(this->stats().all.total(), 0u);
}

TYPED_TEST(EnqueueLeaseTest, LeasesOldestFirstAtMostMax) {
  for (int i = 1; i <= 5; ++i) {
    this->enqueue({job(std::to_string(i), "http://a.example/" + std::to_string(i))}, kT0 + i);
  }
  auto now = kT0 + 100;
  EXPECT_EQ(seqs(this->lease(3, now)), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(seqs(this->lease(3, now)), (std::vector<int64_t>{4, 5}));
  EXPECT_TRUE(this->lease(3, now).empty());
  EXPECT_TRUE(this->lease(0, now).empty());
}

TYPED_TEST(EnqueueLeaseTest, LeaseMarksJobsLeasedWithTheirFields) {
  this->enqueue({job("g1", "http://a.example/1.jpg")});
  auto jobs = this->lease(10);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id, "g1");
  EXPECT_EQ(jobs[0].url, "http://a.example/1.jpg");
  EXPECT_EQ(jobs[0].host_key, "a.example:80");
  EXPECT_EQ(jobs[0].attempts, 0);
  EXPECT_EQ(this->stats().all.leased, 1u);
  this->apply_ok({retry(jobs[0].seq, kT0 + 1, "timeout")});
  auto again = this->lease(10, kT0 + 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 1);
}

TYPED_TEST(EnqueueLeaseTest, NothingIsReadyBeforeItsNotBefore) {
  this->enqueue({job("1", "http://a.example/1")});
  EXPECT_TRUE(this->lease(1, kT0 - 1).empty());
  auto jobs = this->lease(1, kT0);
  ASSERT_EQ(jobs.size(), 1u);
  this->apply_ok({retry(jobs[0].seq, kT0 + 1000, "http_500")});
  EXPECT_TRUE(this->lease(1, kT0 + 999).empty());
  EXPECT_EQ(this->lease(1, kT0 + 1000).size(), 1u);
}

TYPED_TEST(EnqueueLeaseTest, OrdersByReadyTimeThenSeq) {
  this->enqueue({job("1", "http://a.example/1"), job("2", "http://a.example/2"),
                 job("3", "http://a.example/3")});
  auto first = this->lease(1);
  this->apply_ok({retry(first[0].seq, kT0 + 500, "timeout")});  // 1 ready at +500
  this->enqueue({job("4", "http://a.example/4")}, kT0 + 1000);
  EXPECT_EQ(seqs(this->lease(10, kT0 + 2000)), (std::vector<int64_t>{2, 3, 1, 4}));
}

TYPED_TEST(EnqueueLeaseTest, SkipsHosts) {
  this->enqueue({job("a1", "http://a.example/1"), job("b1", "http://b.example/1"),
                 job("a2", "http://a.example/2"), job("b2", "http://b.example/2")});
  auto jobs = this->lease(10, kT0, {"a.example:80"});
  EXPECT_EQ(seqs(jobs), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(seqs(this->lease(10, kT0, {"b.example:80"})), (std::vector<int64_t>{1, 3}));
}

// The head of the line is one busy host: SqliteQueue's bounded walk gives way to the
// host-by-host pick, which must keep the global order over the other hosts.
TYPED_TEST(EnqueueLeaseTest, SkipsABusyHostAtTheHeadOfALongLine) {
  std::vector<JobInput> jobs;
  for (int i = 0; i < 3000; ++i) jobs.push_back(job("a" + std::to_string(i), "http://a.example/"));
  for (int i = 0; i < 3; ++i) {
    jobs.push_back(job("b" + std::to_string(i), "http://b.example/" + std::to_string(i)));
    jobs.push_back(job("c" + std::to_string(i), "http://c.example/" + std::to_string(i)));
  }
  this->enqueue(jobs);
  auto got = this->lease(4, kT0, {"a.example:80"});
  EXPECT_EQ(seqs(got), (std::vector<int64_t>{3001, 3002, 3003, 3004}));
  got = this->lease(4, kT0, {"a.example:80", "c.example:80"});
  EXPECT_EQ(seqs(got), (std::vector<int64_t>{3005}));
  got = this->lease(4, kT0, {"a.example:80", "b.example:80"});
  EXPECT_EQ(seqs(got), (std::vector<int64_t>{3006}));
  EXPECT_TRUE(this->lease(4, kT0, {"a.example:80"}).empty());
  EXPECT_EQ(this->lease(4, kT0).size(), 4u);
}

TYPED_TEST(EnqueueLeaseTest, NextReadyIsTheEarliestQueuedNotBefore) {
  auto none = this->q().next_ready_ms();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  this->enqueue({job("1", "http://a.example/1")}, kT0);
  this->enqueue({job("2", "http://a.example/2")}, kT0 + 7);
  EXPECT_EQ(*this->q().next_ready_ms().value(), kT0);
  auto jobs = this->lease(10, kT0 + 10);
  EXPECT_FALSE(this->q().next_ready_ms().value().has_value());
  this->apply_ok({retry(jobs[0].seq, kT0 + 5000, "timeout"), defer(jobs[1].seq, kT0 + 3000, "x")});
  EXPECT_EQ(*this->q().next_ready_ms().value(), kT0 + 3000);
}

}  // namespace
}  // namespace sluice::testing
