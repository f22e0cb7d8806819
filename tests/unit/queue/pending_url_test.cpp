// A new URL for a job that a run holds the lease of (queue.h, the lease contract): the
// lease is left alone, the URL waits as pending, and the transition that ends the attempt
// (whatever its kind) or reclaim() sends the job back to queued with it. On every backend.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "queue_fixture.h"

namespace sluice::testing {
namespace {

const std::string kOld = "http://a.example/1.jpg";
const std::string kNew = "https://b.example/1-v2.jpg";

template <class Q>
class PendingUrlTest : public QueueTest<Q> {
 protected:
  // Job "1" on kOld, leased by owner-a, with attempts already charged; then kNew enqueued
  // for it at kT0 + 10.
  Job leased_then_updated(int attempts = 0) {
    this->enqueue({job("1", kOld)});
    auto jobs = this->lease(1);
    for (int i = 0; i < attempts; ++i) {
      this->apply_ok({retry(jobs[0].seq, kT0, "timeout")});
      jobs = this->lease(1);
    }
    auto s = this->enqueue({job("1", kNew)}, kT0 + 10);
    EXPECT_EQ(s.requeued, 1u);
    return jobs.at(0);
  }

  // The job is queued on kNew, ready at `ready`, as if enqueued anew. Leases it.
  Job expect_requeued_with_new_url(int64_t ready) {
    auto r = this->record("1");
    EXPECT_EQ(r.state, JobState::queued);
    EXPECT_EQ(r.url, kNew);
    EXPECT_EQ(r.host_key, "b.example:443");
    EXPECT_EQ(r.pending_url, "");
    EXPECT_EQ(r.attempts, 0);
    EXPECT_EQ(r.error_code, "");
    EXPECT_EQ(r.error_detail, "");
    EXPECT_EQ(r.manifest.key, "");
    EXPECT_EQ(r.manifest.sha256, "");
    auto st = this->stats();
    EXPECT_EQ(st.all.queued, 1u);
    EXPECT_EQ(st.by_host["b.example:443"].queued, 1u);
    EXPECT_EQ(st.by_host["a.example:80"].total(), 0u);
    EXPECT_TRUE(this->lease(1, ready - 1).empty());
    auto again = this->lease(1, ready);
    EXPECT_EQ(again.size(), 1u);
    if (again.empty()) return {};
    EXPECT_EQ(again[0].url, kNew);
    EXPECT_EQ(again[0].attempts, 0);
    return again[0];
  }
};
TYPED_TEST_SUITE(PendingUrlTest, QueueTypes, QueueTypeNames);

TYPED_TEST(PendingUrlTest, LeavesTheLeaseAndTheAttemptAlone) {
  Job j = this->leased_then_updated();
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::leased);
  EXPECT_EQ(r.url, kOld);
  EXPECT_EQ(r.host_key, "a.example:80");
  EXPECT_EQ(r.pending_url, kNew);
  EXPECT_EQ(this->stats().by_host["a.example:80"].leased, 1u);
  EXPECT_TRUE(this->lease(5, kT0 + 20).empty());  // still leased: nobody else gets it
  EXPECT_EQ(this->q().next_ready_ms().value(), std::nullopt);
  EXPECT_EQ(j.url, kOld);
}

// The attempt fetched the old URL: its object is not the new URL's, so the manifest does
// not record it; the job is fetched again from the new URL.
TYPED_TEST(PendingUrlTest, CompleteOfTheOldUrlRequeuesWithTheNewOne) {
  Job j = this->leased_then_updated(2);
  this->apply_ok({complete(j.seq, {"1.jpg", "old-sha", 5, "image/jpeg", "e", "lm"})}, kT0 + 30);
  EXPECT_EQ(this->record("1").updated_at_ms, kT0 + 30);
  Job again = this->expect_requeued_with_new_url(kT0 + 30);
  this->apply_ok({complete(again.seq, {"1.jpg", "new-sha", 6, "image/jpeg", "", ""})});
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::done);
  EXPECT_EQ(r.url, kNew);
  EXPECT_EQ(r.manifest.sha256, "new-sha");
  EXPECT_EQ(r.attempts, 1);
}

// Whatever ends the attempt, the outcome was the old URL's: no attempt charged, no error
// recorded, no dead letter, no wait for a retry time.
TYPED_TEST(PendingUrlTest, EveryKindOfTransitionRequeuesWithTheNewUrlAtOnce) {
  for (auto kind : {Transition::Kind::retry, Transition::Kind::bury, Transition::Kind::release,
                    Transition::Kind::defer}) {
    SCOPED_TRACE(kind_name(kind));
    TempDir dir;  // a fresh queue for each kind
    this->q_ = QueueMaker<TypeParam>::make(dir, "owner-a");
    Job j = this->leased_then_updated(1);
    Transition t{kind, j.seq, {}, kT0 + 100'000, "http_404", "gone"};
    this->apply_ok({t}, kT0 + 30);
    this->expect_requeued_with_new_url(kT0 + 30);
    EXPECT_TRUE(this->stats().dead_by_reason.empty());
    this->q_.reset();
  }
}

TYPED_TEST(PendingUrlTest, TheLatestUrlWins) {
  Job j = this->leased_then_updated();
  auto s = this->enqueue({job("1", kNew)}, kT0 + 11);  // the pending one again
  EXPECT_EQ(s.unchanged, 1u);
  const std::string newer = "https://b.example/1-v3.jpg";
  s = this->enqueue({job("1", newer)}, kT0 + 12);
  EXPECT_EQ(s.requeued, 1u);
  EXPECT_EQ(this->record("1").pending_url, newer);
  this->apply_ok({release(j.seq)}, kT0 + 30);
  auto again = this->lease(1, kT0 + 30);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].url, newer);
}

// Enqueuing the URL being fetched again drops the pending one: the attempt serves it.
TYPED_TEST(PendingUrlTest, BackToTheCurrentUrlDropsThePendingOne) {
  Job j = this->leased_then_updated();
  auto s = this->enqueue({job("1", kOld)}, kT0 + 11);
  EXPECT_EQ(s.requeued, 1u);
  EXPECT_EQ(this->record("1").pending_url, "");
  this->apply_ok({complete(j.seq, {"1.jpg", "old-sha", 5, "image/jpeg", "", ""})}, kT0 + 30);
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::done);
  EXPECT_EQ(r.url, kOld);
  EXPECT_EQ(r.manifest.sha256, "old-sha");
}

TYPED_TEST(PendingUrlTest, ReclaimOfAnExpiredLeaseTakesThePendingUrl) {
  this->enqueue({job("1", kOld), job("2", "http://a.example/2.jpg")});
  auto jobs = this->lease(2, kT0, {}, 1000);
  this->enqueue({job("1", kNew)}, kT0 + 10);
  auto n = this->q().reclaim(kT0 + 999, false);
  EXPECT_EQ(*n, 0u);
  EXPECT_EQ(this->record("1").pending_url, kNew);
  n = this->q().reclaim(kT0 + 1000, false);
  EXPECT_EQ(*n, 2u);
  auto r = this->record("1");
  EXPECT_EQ(r.state, JobState::queued);
  EXPECT_EQ(r.url, kNew);
  EXPECT_EQ(r.pending_url, "");
  EXPECT_EQ(r.updated_at_ms, kT0 + 1000);
  EXPECT_EQ(this->record("2").url, "http://a.example/2.jpg");
  // The stale transitions of the reclaimed leases are refused one by one.
  auto rejected = this->apply_rejected({complete(jobs[0].seq), complete(jobs[1].seq)});
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].reason, StaleReason::not_leased);
  // Job 2 kept its ready time (kT0); job 1 is ready from the reclaim on.
  auto again = this->lease(5, kT0 + 1000);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].url, "http://a.example/2.jpg");
  EXPECT_EQ(again[1].url, kNew);
}

TYPED_TEST(PendingUrlTest, ReclaimOfEveryLeaseTakesThePendingUrl) {
  this->leased_then_updated(1);
  EXPECT_EQ(*this->q().reclaim(kT0 + 20, true), 1u);
  this->expect_requeued_with_new_url(kT0 + 20);
}

// Another handle's enqueue (the `sluice enqueue` command while a run works) leaves the
// run's lease alone, and the run's transition is applied, not refused.
TYPED_TEST(PendingUrlTest, TheLeaseHoldersTransitionIsNeverRefused) {
  std::vector<JobInput> jobs;
  for (int i = 0; i < 20; ++i)
    jobs.push_back(job(std::to_string(i), "http://a.example/" + std::to_string(i)));
  this->enqueue(jobs);
  auto leased = this->lease(20);
  std::vector<JobInput> updates;
  for (int i = 0; i < 20; i += 2)
    updates.push_back(job(std::to_string(i), "http://a.example/v2/" + std::to_string(i)));
  EXPECT_EQ(this->enqueue(updates, kT0 + 5).requeued, 10u);
  std::vector<Transition> batch;
  for (const Job& j : leased) batch.push_back(complete(j.seq, {j.id + ".jpg", "s", 1, "", "", ""}));
  this->apply_ok(batch, kT0 + 6);
  auto st = this->stats();
  EXPECT_EQ(st.all.done, 10u);
  EXPECT_EQ(st.all.queued, 10u);
  for (const Job& j : this->lease(20, kT0 + 6)) EXPECT_THAT(j.url, ::testing::HasSubstr("/v2/"));
}

}  // namespace
}  // namespace sluice::testing
