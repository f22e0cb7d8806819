// What only the SQLite backend has: its settings and schema version, the files it refuses,
// query plans, and speed at scale. What every shared backend does (a queue outliving its
// handle, several handles) is in shared_queue_test.cpp.
#include "queue/sqlite_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "queue/sqlite_sql.h"
#include "queue_fixture.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<SqliteQueue> open_ok(const std::string& path, SqliteOptions options = {}) {
  auto q = SqliteQueue::open(path, options);
  EXPECT_TRUE(q.ok()) << q.error().to_string();
  return q.ok() ? std::move(*q) : nullptr;
}

// Runs SQL on the file through a connection of its own.
void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(SqliteQueue, UsesWalSchemaVersionAndNormalSyncByDefault) {
  TempDir dir;
  auto q = open_ok(dir.file("q.db"));
  EXPECT_EQ(*q->pragma("journal_mode"), "wal");
  EXPECT_EQ(*q->pragma("user_version"), std::to_string(SqliteQueue::kSchemaVersion));
  EXPECT_EQ(*q->pragma("synchronous"), "1");  // NORMAL
  EXPECT_FALSE(q->pragma("x; DROP TABLE jobs").ok());
}

TEST(SqliteQueue, FullDurabilityIsAnOption) {
  TempDir dir;
  SqliteOptions options;
  options.durability = SqliteOptions::Durability::full;
  auto q = open_ok(dir.file("q.db"), options);
  EXPECT_EQ(*q->pragma("synchronous"), "2");  // FULL
}

TEST(SqliteQueue, RefusesAFileFromANewerSluice) {
  TempDir dir;
  std::string path = dir.file("q.db");
  open_ok(path);
  raw_exec(path, "PRAGMA user_version = 99");
  auto q = SqliteQueue::open(path);
  ASSERT_FALSE(q.ok());
  EXPECT_THAT(q.error().detail, HasSubstr("newer sluice"));
  EXPECT_THAT(q.error().detail, HasSubstr(path));
}

TEST(SqliteQueue, RefusesSomeoneElsesDatabase) {
  TempDir dir;
  std::string path = dir.file("other.db");
  raw_exec(path, "CREATE TABLE customers(id INTEGER)");
  auto q = SqliteQueue::open(path);
  ASSERT_FALSE(q.ok());
  EXPECT_THAT(q.error().detail, HasSubstr("not a sluice queue file"));
}

TEST(SqliteQueue, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  std::string path = dir.file("junk.db");
  std::ofstream(path) << std::string(4096, 'x');
  auto q = SqliteQueue::open(path);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().reason, Reason::io);
}

TEST(SqliteQueue, ReportsAnUnopenableFile) {
  TempDir dir;
  auto q = SqliteQueue::open(dir.file("missing/q.db"));
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().reason, Reason::io);
}

// A file of schema version 1 (before pending URLs) opens as version 2 with its jobs, its
// leases and its manifest intact, and takes pending URLs from then on.
TEST(SqliteQueue, MigratesAVersion1File) {
  TempDir dir;
  std::string path = dir.file("v1.db");
  raw_exec(path, std::string(sql::kSchemaV1) +
                     "INSERT INTO jobs(id, url, host_key, state, attempts, lease_owner,"
                     " lease_expires_ms, created_ms, updated_ms) VALUES"
                     " ('a', 'http://a.example/1', 'a.example:80', 1, 2, 'owner-a', 9e15, 1, 1);"
                     "INSERT INTO jobs(id, url, host_key, state, attempts, object_key, sha256,"
                     " bytes, created_ms, updated_ms) VALUES"
                     " ('b', 'http://a.example/2', 'a.example:80', 2, 1, 'b.jpg', 'ab', 7, 1, 1);"
                     "PRAGMA user_version = 1;");
  SqliteOptions options;
  options.owner = "owner-a";
  auto q = open_ok(path, options);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(*q->pragma("user_version"), "2");
  auto st = q->stats();
  EXPECT_EQ(st->all.leased, 1u);
  EXPECT_EQ(st->all.done, 1u);
  auto e = q->enqueue({job("a", "http://a.example/1-v2")}, kT0);
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(e->requeued, 1u);
  auto r = q->apply({complete(1, {"a.jpg", "old", 1, "image/jpeg", "", ""})}, kT0 + 1);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->applied, 1u);
  std::vector<JobRecord> rows;
  ASSERT_TRUE(q->scan([&](const JobRecord& x) {
                 rows.push_back(x);
                 return true;
               }).ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].state, JobState::queued);
  EXPECT_EQ(rows[0].url, "http://a.example/1-v2");
  EXPECT_EQ(rows[0].attempts, 0);
  EXPECT_EQ(rows[1].manifest.key, "b.jpg");
  EXPECT_EQ(rows[1].manifest.bytes, 7u);
}

// Every hot statement is answered from an index: no full table scan, no sort.
TEST(SqliteQueue, HotStatementsUseIndexes) {
  TempDir dir;
  std::string path = dir.file("q.db");
  open_ok(path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  for (const char* sql : {sql::kFindById,
                          sql::kRequeue,
                          sql::kSetPending,
                          sql::kReady,
                          sql::kNextHost,
                          sql::kReadyForHost,
                          sql::kTake,
                          sql::kTaken,
                          sql::kComplete,
                          sql::kRetry,
                          sql::kBury,
                          sql::kRelease,
                          sql::kDefer,
                          sql::kTakePending,
                          sql::kLeaseOf,
                          sql::kReclaimExpired,
                          sql::kReclaimAll,
                          sql::kReclaimExpiredPending,
                          sql::kReclaimAllPending,
                          sql::kDeadFirstReason,
                          sql::kDeadNextReason,
                          sql::kDeadPage,
                          sql::kDeadById,
                          sql::kReplayReason,
                          sql::kReplaySeq,
                          sql::kCountByHost,
                          sql::kDeadByReason,
                          sql::kNextReady,
                          sql::kScanPage}) {
    std::string explain = std::string("EXPLAIN QUERY PLAN ") + sql;
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db) << " in " << sql;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string detail = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      EXPECT_THAT(detail, ::testing::Not(HasSubstr("TEMP B-TREE"))) << sql;
      if (detail.find("jobs") != std::string::npos) {
        EXPECT_TRUE(detail.find("INDEX") != std::string::npos ||
                    detail.find("PRIMARY KEY") != std::string::npos)
            << detail << " in " << sql;
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Enqueue in batches of 10,000, then lease with and without a busy host at the head of
// the line. SLUICE_QUEUE_SCALE_JOBS sets the size (1000000 for the figure in the docs).
TEST(SqliteQueue, EnqueueAndLeaseAtScale) {
  size_t total = 200'000;
  if (const char* env = std::getenv("SLUICE_QUEUE_SCALE_JOBS"))
    total = std::strtoul(env, nullptr, 10);
  TempDir dir;
  auto q = open_ok(dir.file("q.db"));
  auto t = std::chrono::steady_clock::now();
  std::vector<JobInput> batch;
  for (size_t i = 0; i < total; ++i) {
    // 90% of the jobs, enqueued first, are on one host.
    std::string host = i < total * 9 / 10 ? "images.partner.example" : "cdn.other.example";
    std::string id = std::to_string(4006381000000 + (i * 7919) % 1000003);  // GTIN-like, shuffled
    batch.push_back(JobInput{id + "-" + std::to_string(i),
                             "https://" + host + "/p/" + std::to_string(i) + ".jpg",
                             host + ":443"});
    if (batch.size() == 10'000 || i + 1 == total) {
      auto r = q->enqueue(batch, kT0);
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      batch.clear();
    }
  }
  double enqueue_s = seconds_since(t);

  t = std::chrono::steady_clock::now();
  LeaseRequest req;
  req.max = 256;
  req.now_ms = kT0;
  auto jobs = q->lease(req);
  double lease_s = seconds_since(t);
  ASSERT_EQ(jobs->size(), 256u);

  t = std::chrono::steady_clock::now();
  req.skip_hosts = {"images.partner.example:443"};
  jobs = q->lease(req);
  double skip_s = seconds_since(t);
  ASSERT_EQ(jobs->size(), 256u);
  EXPECT_EQ((*jobs)[0].host_key, "cdn.other.example:443");

  t = std::chrono::steady_clock::now();
  req.skip_hosts = {"images.partner.example:443", "cdn.other.example:443"};
  EXPECT_TRUE(q->lease(req)->empty());
  double skip_all_s = seconds_since(t);

  t = std::chrono::steady_clock::now();
  auto st = q->stats();
  double stats_s = seconds_since(t);
  EXPECT_EQ(st->all.total(), total);

  std::printf(
      "[ scale    ] %zu jobs: enqueue %.2f s (%.0f jobs/s); lease 256 %.2f ms; lease "
      "skipping the head host %.2f ms; lease skipping all %.2f ms; stats %.0f ms\n",
      total, enqueue_s, total / enqueue_s, lease_s * 1e3, skip_s * 1e3, skip_all_s * 1e3,
      stats_s * 1e3);
  // Generous bounds, to catch a lost index rather than to benchmark.
  EXPECT_LT(lease_s, 0.5);
  EXPECT_LT(skip_s, 0.5);
  EXPECT_LT(skip_all_s, 0.5);
}

}  // namespace
}  // namespace sluice::testing
