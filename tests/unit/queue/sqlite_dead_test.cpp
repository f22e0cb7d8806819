// `dlq replay` against SQLite's write lock: one transaction, all or nothing. The replays
// interleaved with, and concurrent with, another handle's run are typed tests over every
// shared backend, in shared_queue_test.cpp.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "queue_fixture.h"

namespace sluice::testing {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace sqlite_dead_test {

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

}  // namespace sqlite_dead_test
}  // namespace sluice::testing
