// Random operation sequences: conservation (accepted = queued + leased + done + dead) at
// every step on each backend, and SqliteQueue and RedisQueue each giving the same answers
// as MemoryQueue to the same calls (so engine tests on MemoryQueue speak for both). The mix
// holds every operation, new URLs for jobs that are leased right now (the lease contract of
// queue.h), and stale transitions: for reclaimed leases, for jobs another owner leased,
// for no job, and the same seq twice in a batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "queue_fixture.h"

namespace sluice::testing {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace random_ops_test {

// Drives a queue with a seeded random mix of every operation and records each answer.
class RandomDriver {
 public:
  // set_owner switches the lease owner of the queue under test (the other handle's).
  RandomDriver(uint32_t seed, std::function<void(const std::string&)> set_owner)
      : rng_(seed), set_owner_(std::move(set_owner)) {}

  // One operation; returns a line describing its outcome, for comparing backends.
  std::string step(Queue& q) {
    now_ += pick(0, 400);
    switch (pick(0, 12)) {
      case 0:
      case 1:
      case 2:
        return do_enqueue(q);
      case 3:
      case 4:
        return do_lease(q);
      case 5:
      case 6:
      case 7:
        return do_apply(q);
      case 8: {
        auto n = q.reclaim(now_, pick(0, 9) == 0);
        if (n.ok()) seen_.reclaimed += static_cast<int>(*n);
        return "reclaim " + (n.ok() ? std::to_string(*n) : n.error().to_string());
      }
      case 9:
      case 10:
        return do_update_leased(q);
      case 11: {
        // Another handle leases (and applies) for a while: "leased by another owner".
        owner_ = pick(0, 3) == 0 ? "owner-b" : "owner-a";
        set_owner_(owner_);
        return "owner " + owner_;
      }
      default:
        return do_replay(q);
    }
  }

  const std::set<std::string>& ids() const { return ids_; }

  // How often each kind of outcome happened, so a test can check the mix was rich.
  struct Seen {
    int leased = 0, applied = 0, requeued = 0, reclaimed = 0, replayed = 0;
    int updated_leased = 0;               // jobs seen waiting for a pending URL after an update
    std::map<StaleReason, int> rejected;  // stale transitions, by why
  };
  const Seen& seen() const { return seen_; }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::string do_enqueue(Queue& q) {
    std::vector<JobInput> batch;
    int n = pick(1, 20);
    for (int i = 0; i < n; ++i) {
      std::string id = "id" + std::to_string(pick(0, 150));
      std::string url =
          "http://h" + std::to_string(pick(0, 3)) + ".example/" + std::to_string(pick(0, 2));
      batch.push_back(job(id, url));
      ids_.insert(id);
    }
    auto r = q.enqueue(batch, now_);
    if (!r.ok()) return "enqueue " + r.error().to_string();
    seen_.requeued += static_cast<int>(r->requeued);
    return "enqueue " + std::to_string(r->inserted) + "/" + std::to_string(r->unchanged) + "/" +
           std::to_string(r->requeued);
  }

  std::string do_lease(Queue& q) {
    LeaseRequest req;
    req.max = static_cast<size_t>(pick(0, 30));
    req.now_ms = now_;
    req.lease_ms = pick(100, 3000);
    if (pick(0, 2) == 0) req.skip_hosts.push_back("h" + std::to_string(pick(0, 3)) + ".example:80");
    auto r = q.lease(req);
    if (!r.ok()) return "lease " + r.error().to_string();
    std::string out = "lease";
    for (const Job& j : *r) {
      out += " " + std::to_string(j.seq) + ":" + std::to_string(j.attempts) + ":" + j.url;
      held_.push_back(j.seq);
      id_of_[j.seq] = j.id;
      ++seen_.leased;
    }
    return out;
  }

  // New URLs (or the current one back) for jobs this driver leased, while they are leased.
  std::string do_update_leased(Queue& q) {
    std::vector<JobInput> batch;
    size_t n = std::min(held_.size(), static_cast<size_t>(pick(1, 6)));
    for (size_t i = 0; i < n; ++i) {
      int64_t seq = held_[static_cast<size_t>(pick(0, static_cast<int>(held_.size()) - 1))];
      batch.push_back(job(id_of_[seq], "http://h" + std::to_string(pick(0, 3)) + ".example/" +
                                           std::to_string(pick(0, 2))));
    }
    auto r = q.enqueue(batch, now_);
    if (!r.ok()) return "update " + r.error().to_string();
    seen_.requeued += static_cast<int>(r->requeued);
    EXPECT_TRUE(q.scan([&](const JobRecord& rec) {
                   if (!rec.pending_url.empty()) ++seen_.updated_leased;
                   return true;
                 }).ok());
    return "update " + std::to_string(r->unchanged) + "/" + std::to_string(r->requeued);
  }

  // Lists the dead jobs a random filter selects, then replays them: the same jobs.
  std::string do_replay(Queue& q) {
    DeadFilter f;
    switch (pick(0, 5)) {
      case 0:
        f.all = true;
        break;
      case 1:
        f.reason = pick(0, 1) ? "http_404" : "http_5xx";
        break;
      case 2:
        f.reason = "http_4xx";
        f.host = "h" + std::to_string(pick(0, 3)) + ".example";
        break;
      case 3:
        f.host = "h" + std::to_string(pick(0, 3)) + ".example:80";
        break;
      case 4:
        f.id = "id" + std::to_string(pick(0, 150));
        break;
      default:
        break;  // refused: no filter
    }
    std::string out = "replay " + f.reason + "/" + f.host + "/" + f.id + ": listed";
    uint64_t listed = 0;
    Status s = q.scan_dead(f, [&](const JobRecord& r) {
      out += " " + std::to_string(r.seq) + ":" + r.error_code;
      ++listed;
      return true;
    });
    if (!s.ok()) return out + " " + s.error().to_string();
    auto n = q.replay(f, now_);
    if (!n.ok()) return out + " " + n.error().to_string();
    EXPECT_EQ(*n, listed) << out;
    seen_.replayed += static_cast<int>(*n);
    return out + " -> " + std::to_string(*n);
  }

  std::string do_apply(Queue& q) {
    std::vector<Transition> batch;
    std::shuffle(held_.begin(), held_.end(), rng_);
    size_t n = std::min(held_.size(), static_cast<size_t>(pick(0, 12)));
    for (size_t i = 0; i < n; ++i) {
      int64_t seq = held_[i];
      switch (pick(0, 4)) {
        case 0:
          batch.push_back(complete(seq, {"k" + std::to_string(seq), "s", 7, "t", "e", "l"}));
          break;
        case 1:
          batch.push_back(retry(seq, now_ + pick(0, 2000), "timeout"));
          break;
        case 2:
          batch.push_back(
              bury(seq, pick(0, 1) ? "http_404" : (pick(0, 1) ? "http_410" : "http_503")));
          break;
        case 3:
          batch.push_back(release(seq));
          break;
        default:
          batch.push_back(defer(seq, now_ + pick(0, 2000), "http_429"));
          break;
      }
    }
    if (pick(0, 9) == 0) batch.push_back(release(pick(1, 200)));  // often not leased
    if (!batch.empty() && pick(0, 14) == 0) batch.push_back(release(batch.front().seq));  // twice
    auto r = q.apply(batch, now_);
    if (!r.ok()) return "apply " + std::to_string(batch.size()) + " " + r.error().to_string();
    EXPECT_EQ(r->applied + r->rejected.size(), batch.size());
    seen_.applied += static_cast<int>(r->applied);
    // Every transition ends this driver's claim on its seq, applied or not.
    held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(n));
    std::string out = "apply " + std::to_string(batch.size()) + " applied " +
                      std::to_string(r->applied) + " rejected";
    for (const RejectedTransition& x : r->rejected) {
      ++seen_.rejected[x.reason];
      out += " [" + x.detail + "]";
    }
    return out;
  }

  std::mt19937 rng_;
  std::function<void(const std::string&)> set_owner_;
  std::string owner_ = "owner-a";
  int64_t now_ = kT0;
  std::vector<int64_t> held_;  // seqs this driver leased and has not applied yet (some stale)
  std::map<int64_t, std::string> id_of_;
  std::set<std::string> ids_;
  Seen seen_;
};

void expect_conserved(Queue& q, size_t accepted, const std::string& where) {
  auto st = q.stats();
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(st->all.total(), accepted) << where;
  StateCounts sum;
  for (const auto& [host, c] : st->by_host) {
    sum.queued += c.queued;
    sum.leased += c.leased;
    sum.done += c.done;
    sum.dead += c.dead;
  }
  EXPECT_EQ(sum.queued, st->all.queued) << where;
  EXPECT_EQ(sum.leased, st->all.leased) << where;
  EXPECT_EQ(sum.done, st->all.done) << where;
  EXPECT_EQ(sum.dead, st->all.dead) << where;
  uint64_t dead = 0;
  for (const auto& [reason, n] : st->dead_by_reason) dead += n;
  EXPECT_EQ(dead, st->all.dead) << where;
  // Only a leased job may wait for a pending URL, and never for the one it is fetching.
  EXPECT_TRUE(q.scan([&](const JobRecord& r) {
                 if (!r.pending_url.empty()) {
                   EXPECT_EQ(r.state, JobState::leased) << where << ": seq " << r.seq;
                   EXPECT_NE(r.pending_url, r.url) << where << ": seq " << r.seq;
                 }
                 return true;
               }).ok());
}

template <class Q>
class ConservationTest : public QueueTest<Q> {};
TYPED_TEST_SUITE(ConservationTest, QueueTypes, QueueTypeNames);

TYPED_TEST(ConservationTest, HoldsAfterEveryRandomOperation) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    TempDir dir;
    auto q = QueueMaker<TypeParam>::make(dir, "owner-a");
    ASSERT_NE(q, nullptr);
    RandomDriver driver(seed, [&](const std::string& o) { q->set_owner(o); });
    for (int i = 0; i < 400; ++i) {
      std::string what = driver.step(*q);
      expect_conserved(*q, driver.ids().size(),
                       "seed " + std::to_string(seed) + " step " + std::to_string(i) + ": " + what);
      if (::testing::Test::HasFailure()) return;
    }
    const auto& seen = driver.seen();
    EXPECT_GT(seen.leased, 100);
    EXPECT_GT(seen.applied, 20);
    EXPECT_GT(seen.requeued, 0);
    EXPECT_GT(seen.updated_leased, 10);
    EXPECT_GT(seen.reclaimed, 0);
    EXPECT_GT(seen.replayed, 0);
    for (StaleReason why : {StaleReason::no_such_job, StaleReason::twice_in_batch,
                            StaleReason::not_leased, StaleReason::leased_by_other}) {
      EXPECT_GT(seen.rejected.count(why) ? seen.rejected.at(why) : 0, 0)
          << "seed " << seed << ": no " << stale_reason_name(why);
    }
  }
}

std::string describe(const JobRecord& r) {
  return std::to_string(r.seq) + " " + r.id + " " + r.url + " " + r.host_key + " " +
         state_name(r.state) + " a=" + std::to_string(r.attempts) + " " + r.manifest.key + " " +
         r.manifest.sha256 + " " + std::to_string(r.manifest.bytes) + " " +
         r.manifest.content_type + " " + r.manifest.etag + " " + r.manifest.last_modified + " " +
         r.error_code + " " + r.error_detail + " t=" + std::to_string(r.updated_at_ms) +
         " pending=" + r.pending_url;
}

std::vector<std::string> dump(Queue& q) {
  std::vector<std::string> out;
  EXPECT_TRUE(q.scan([&](const JobRecord& r) {
                 out.push_back(describe(r));
                 return true;
               }).ok());
  return out;
}

std::string describe(const QueueStats& s) {
  std::string out;
  auto counts = [](const StateCounts& c) {
    return std::to_string(c.queued) + "/" + std::to_string(c.leased) + "/" +
           std::to_string(c.done) + "/" + std::to_string(c.dead);
  };
  out += "all " + counts(s.all);
  for (const auto& [host, c] : s.by_host) out += "; " + host + " " + counts(c);
  for (const auto& [reason, n] : s.dead_by_reason) out += "; " + reason + "=" + std::to_string(n);
  return out;
}

template <class Q>
class MatchesMemoryTest : public QueueTest<Q> {};
TYPED_TEST_SUITE(MatchesMemoryTest, SharedQueueTypes, QueueTypeNames);

TYPED_TEST(MatchesMemoryTest, SameAnswersToTheSameCalls) {
  for (uint32_t seed : {11u, 12u, 13u}) {
    TempDir dir;
    auto backend = QueueMaker<TypeParam>::make(dir, "owner-a");
    ASSERT_NE(backend, nullptr);
    MemoryQueue memory("owner-a");
    RandomDriver on_backend(seed, [&](const std::string& o) { backend->set_owner(o); });
    RandomDriver on_memory(seed, [&](const std::string& o) { memory.set_owner(o); });
    for (int i = 0; i < 500; ++i) {
      std::string a = on_backend.step(*backend);
      std::string b = on_memory.step(memory);
      ASSERT_EQ(a, b) << "seed " << seed << " step " << i;
      auto na = backend->next_ready_ms(), nb = memory.next_ready_ms();
      ASSERT_EQ(na.value(), nb.value()) << "seed " << seed << " step " << i;
    }
    EXPECT_EQ(dump(*backend), dump(memory)) << "seed " << seed;
    auto sa = backend->stats(), sb = memory.stats();
    EXPECT_EQ(describe(*sa), describe(*sb)) << "seed " << seed;
  }
}

}  // namespace random_ops_test
}  // namespace sluice::testing
