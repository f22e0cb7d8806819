// `dlq replay` while a `sluice run` (another process, another connection) leases and
// applies on the same SQLite file: two handles with two owners on one file.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <set>
#include <thread>

#include "queue_fixture.h"

namespace sluice::testing {
namespace {

std::unique_ptr<SqliteQueue> open_as(const std::string& path, const std::string& owner,
                                     int busy_timeout_ms = 10'000) {
  SqliteOptions options;
  options.owner = owner;
  options.busy_timeout_ms = busy_timeout_ms;
  auto q = SqliteQueue::open(path, options);
  EXPECT_TRUE(q.ok()) << q.error().to_string();
  return q.ok() ? std::move(*q) : nullptr;
}

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

// Applies a batch and says whether every transition of it was applied.
::testing::AssertionResult all_applied(Queue& q, const std::vector<Transition>& batch,
                                       int64_t now) {
  auto r = q.apply(batch, now);
  if (!r.ok()) return ::testing::AssertionFailure() << r.error().to_string();
  if (!r->rejected.empty()) return ::testing::AssertionFailure() << r->rejected[0].detail;
  return ::testing::AssertionSuccess();
}

// Replay between the run's lease and its apply, and between two of its applies: the run's
// leases are untouched and its transitions still apply.
TEST(SqliteDeadLetter, ReplayInterleavedWithAnotherHandlesLeaseAndApply) {
  TempDir dir;
  auto run = open_as(dir.file("q.db"), "run");
  auto cli = open_as(dir.file("q.db"), "cli");
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

// Two threads, two connections, really at once: an engine-like loop buries every job the
// first time it leases it and completes it the second time; the other replays http_404
// whenever it sees dead jobs. Every apply succeeds and every job ends done, once.
TEST(SqliteDeadLetter, ReplayConcurrentWithARunOnAnotherConnection) {
  constexpr int kJobs = 600;
  TempDir dir;
  auto run = open_as(dir.file("q.db"), "run");
  auto cli = open_as(dir.file("q.db"), "cli");
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

// While another connection holds the write lock, replay waits up to its busy timeout and
// then fails whole, changing nothing; once the lock is free it succeeds.
TEST(SqliteDeadLetter, ReplayIsOneTransaction) {
  TempDir dir;
  std::string path = dir.file("q.db");
  auto run = open_as(path, "run");
  ASSERT_TRUE(run->enqueue(jobs(3), kT0).ok());
  auto leased = run->lease(lease_req(3, kT0));
  std::vector<Transition> batch;
  for (const Job& j : *leased) batch.push_back(bury(j.seq, "http_404"));
  ASSERT_TRUE(all_applied(*run, batch, kT0));

  auto cli = open_as(path, "cli", 50);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto n = cli->replay(http_404(), kT0 + 1);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().reason, Reason::io);
  EXPECT_EQ(cli->stats()->all.dead, 3u);
  ASSERT_EQ(sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_EQ(*cli->replay(http_404(), kT0 + 1), 3u);
}

}  // namespace
}  // namespace sluice::testing
