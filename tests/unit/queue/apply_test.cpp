// apply (each transition, stale ones rejected alone, ownership), reclaim, stats and scan, on every
// Queue backend. The dead-letter queue (replay, scan_dead) is in dead_letter_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "queue_fixture.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

template <class Q>
class ApplyTest : public QueueTest<Q> {
 protected:
  // Enqueues n jobs on a.example and leases them all.
  std::vector<Job> leased(int n) {
    std::vector<JobInput> jobs;
    for (int i = 1; i <= n; ++i) {
      jobs.push_back(job(std::to_string(i), "http://a.example/" + std::to_string(i)));
    }
    this->enqueue(jobs);
    return this->lease(static_cast<size_t>(n));
  }
};
TYPED_TEST_SUITE(ApplyTest, QueueTypes, QueueTypeNames);

TYPED_TEST(ApplyTest, CompleteWritesTheManifestAndChargesTheAttempt) {
  auto jobs = this->leased(1);
  this->apply_ok({retry(jobs[0].seq, kT0, "timeout")});
  jobs = this->lease(1);
  ManifestEntry m{"products/1.jpg", "ab12", 12345, "image/jpeg", "\"etag\"", "Tue, 1 Jan"};
  this->apply_ok({complete(jobs[0].seq, m)}, kT0 + 50);
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::done);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.manifest.key, m.key);
  EXPECT_EQ(r.manifest.sha256, m.sha256);
  EXPECT_EQ(r.manifest.bytes, m.bytes);
  EXPECT_EQ(r.manifest.content_type, m.content_type);
  EXPECT_EQ(r.manifest.etag, m.etag);
  EXPECT_EQ(r.manifest.last_modified, m.last_modified);
  EXPECT_EQ(r.error_code, "");
  EXPECT_EQ(r.error_detail, "");
  EXPECT_EQ(r.updated_at_ms, kT0 + 50);
  EXPECT_EQ(this->stats().all.done, 1u);
}

TYPED_TEST(ApplyTest, RetryRequeuesLaterChargesTheAttemptAndRecordsTheError) {
  auto jobs = this->leased(1);
  this->apply_ok({retry(jobs[0].seq, kT0 + 1000, "http_500")});
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::queued);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.error_code, "http_500");
  EXPECT_EQ(r.error_detail, "detail");
  EXPECT_TRUE(this->lease(1, kT0 + 999).empty());
  EXPECT_EQ(this->lease(1, kT0 + 1000).size(), 1u);
}

TYPED_TEST(ApplyTest, BuryMakesTheJobDeadWithItsReason) {
  auto jobs = this->leased(1);
  this->apply_ok({bury(jobs[0].seq, "http_404")});
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::dead);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.error_code, "http_404");
  auto st = this->stats();
  EXPECT_EQ(st.all.dead, 1u);
  EXPECT_EQ(st.dead_by_reason["http_404"], 1u);
  EXPECT_TRUE(this->lease(1, kT0 + 1'000'000).empty());
}

TYPED_TEST(ApplyTest, ReleaseRequeuesAtOnceWithoutCharge) {
  auto jobs = this->leased(1);
  this->apply_ok({release(jobs[0].seq)});
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::queued);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(this->lease(1, kT0).size(), 1u);
}

TYPED_TEST(ApplyTest, DeferRequeuesLaterWithoutChargeAndRecordsTheError) {
  auto jobs = this->leased(1);
  this->apply_ok({defer(jobs[0].seq, kT0 + 30'000, "http_429")});
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::queued);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(r.error_code, "http_429");
  EXPECT_TRUE(this->lease(1, kT0 + 29'999).empty());
  EXPECT_EQ(this->lease(1, kT0 + 30'000).size(), 1u);
}

TYPED_TEST(ApplyTest, ManyTransitionsCommitTogether) {
  auto jobs = this->leased(5);
  this->apply_ok({complete(jobs[0].seq), retry(jobs[1].seq, kT0, "t"), bury(jobs[2].seq, "b"),
                  release(jobs[3].seq), defer(jobs[4].seq, kT0, "d")});
  auto st = this->stats();
  EXPECT_EQ(st.all.done, 1u);
  EXPECT_EQ(st.all.queued, 3u);
  EXPECT_EQ(st.all.dead, 1u);
  EXPECT_EQ(st.all.leased, 0u);
  auto none = this->q().apply({}, kT0);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->applied, 0u);
  EXPECT_TRUE(none->rejected.empty());
}

// One stale row never rejects its batch: the rest is applied, the row is returned alone.
TYPED_TEST(ApplyTest, ABadSeqIsRejectedAloneAndNamed) {
  auto jobs = this->leased(2);
  auto rejected = this->apply_rejected({complete(jobs[0].seq), complete(999)});
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].seq, 999);
  EXPECT_EQ(rejected[0].kind, Transition::Kind::complete);
  EXPECT_EQ(rejected[0].reason, StaleReason::no_such_job);
  EXPECT_EQ(rejected[0].detail,
            "seq 999 (complete) is not leased by owner-a: there is no such job");
  auto st = this->stats();
  EXPECT_EQ(st.all.leased, 1u);
  EXPECT_EQ(st.all.done, 1u);
  EXPECT_EQ(this->record("1").attempts, 1);
  this->apply_ok({complete(jobs[1].seq)});
  EXPECT_EQ(this->stats().all.done, 2u);
}

TYPED_TEST(ApplyTest, RejectsAJobThatIsNotLeasedAndAppliesTheRest) {
  auto jobs = this->leased(1);
  this->enqueue({job("q", "http://a.example/q")});
  auto rejected = this->apply_rejected({bury(2, "x"), release(jobs[0].seq)});
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].seq, 2);
  EXPECT_EQ(rejected[0].reason, StaleReason::not_leased);
  EXPECT_THAT(rejected[0].detail, HasSubstr("seq 2 (bury) "));
  EXPECT_THAT(rejected[0].detail, HasSubstr("it is queued"));
  EXPECT_EQ(this->record("1").state, JobState::queued);
  auto q = this->record("q");
  EXPECT_EQ(q.state, JobState::queued);
  EXPECT_EQ(q.error_code, "");
  EXPECT_EQ(q.attempts, 0);
}

TYPED_TEST(ApplyTest, RejectsTheSameSeqTwiceInABatch) {
  auto jobs = this->leased(1);
  auto rejected = this->apply_rejected({complete(jobs[0].seq), bury(jobs[0].seq, "x")});
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].kind, Transition::Kind::bury);
  EXPECT_EQ(rejected[0].reason, StaleReason::twice_in_batch);
  EXPECT_THAT(rejected[0].detail, HasSubstr("seq " + std::to_string(jobs[0].seq) + " "));
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::done);  // the first one stands
  EXPECT_EQ(r.error_code, "");
}

TYPED_TEST(ApplyTest, RejectsALeaseHeldByAnotherOwner) {
  auto jobs = this->leased(1);
  this->q().set_owner("owner-b");
  auto rejected = this->apply_rejected({complete(jobs[0].seq)});
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].reason, StaleReason::leased_by_other);
  EXPECT_THAT(rejected[0].detail, HasSubstr("not leased by owner-b: it is leased by owner-a"));
  EXPECT_EQ(this->record("1").state, JobState::leased);
  this->q().set_owner("owner-a");
  this->apply_ok({complete(jobs[0].seq)});
}

TYPED_TEST(ApplyTest, ReclaimReturnsExpiredLeasesWithoutCharge) {
  this->enqueue({job("1", "http://a.example/1"), job("2", "http://a.example/2")});
  auto first = this->lease(1, kT0, {}, 1000);         // expires at +1000
  auto second = this->lease(1, kT0 + 500, {}, 1000);  // expires at +1500
  auto n = this->q().reclaim(kT0 + 999, false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  n = this->q().reclaim(kT0 + 1000, false);
  EXPECT_EQ(*n, 1u);
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::queued);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(this->record("2").state, JobState::leased);
  auto rejected = this->apply_rejected({complete(first[0].seq)}, kT0 + 1001);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].reason, StaleReason::not_leased);
  EXPECT_EQ(this->record("1").state, JobState::queued);
  auto again = this->lease(5, kT0 + 1001);
  EXPECT_EQ(seqs(again), (std::vector<int64_t>{first[0].seq}));
}

TYPED_TEST(ApplyTest, ReclaimAllTakesBackEveryLease) {
  this->leased(3);
  auto n = this->q().reclaim(kT0, true);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(this->stats().all.queued, 3u);
  EXPECT_EQ(*this->q().reclaim(kT0, true), 0u);
}

TYPED_TEST(ApplyTest, StatsCountPerHostAndDeadPerReason) {
  this->enqueue({job("a1", "http://a.example/1"), job("a2", "http://a.example/2"),
                 job("b1", "https://b.example/1"), job("b2", "https://b.example/2"),
                 job("b3", "https://b.example/3")});
  auto jobs = this->lease(4);  // a1 a2 b1 b2
  this->apply_ok(
      {complete(jobs[0].seq), bury(jobs[1].seq, "http_404"), bury(jobs[2].seq, "http_410")});
  auto st = this->stats();
  EXPECT_EQ(st.all.queued, 1u);
  EXPECT_EQ(st.all.leased, 1u);
  EXPECT_EQ(st.all.done, 1u);
  EXPECT_EQ(st.all.dead, 2u);
  ASSERT_EQ(st.by_host.size(), 2u);
  const StateCounts& a = st.by_host["a.example:80"];
  EXPECT_EQ(a.done, 1u);
  EXPECT_EQ(a.dead, 1u);
  EXPECT_EQ(a.total(), 2u);
  const StateCounts& b = st.by_host["b.example:443"];
  EXPECT_EQ(b.queued, 1u);
  EXPECT_EQ(b.leased, 1u);
  EXPECT_EQ(b.dead, 1u);
  EXPECT_EQ(st.dead_by_reason, (std::map<std::string, uint64_t>{{"http_404", 1}, {"http_410", 1}}));
}

TYPED_TEST(ApplyTest, ScanIsInSeqOrderAcrossPagesAndStopsEarly) {
  std::vector<JobInput> jobs;
  for (int i = 0; i < 1200; ++i) jobs.push_back(job("j" + std::to_string(i), "http://a.example/"));
  this->enqueue(jobs);
  auto all = this->records();
  ASSERT_EQ(all.size(), 1200u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
  size_t seen = 0;
  Status s = this->q().scan([&](const JobRecord&) { return ++seen < 700; });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(seen, 700u);
}

TYPED_TEST(ApplyTest, ScanCallbackMayUseTheQueue) {
  this->enqueue({job("1", "http://a.example/1"), job("2", "http://a.example/2")});
  size_t seen = 0;
  Status s = this->q().scan([&](const JobRecord&) {
    EXPECT_TRUE(this->q().stats().ok());
    return ++seen > 0;
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(seen, 2u);
}

}  // namespace
}  // namespace sluice::testing
