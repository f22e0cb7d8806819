// EmbeddedLife: the one worker on a SQLite queue file. Its run lock refuses a second life
// on the file, begin() takes every lease back and empties the spool, and the heartbeat
// file carries a crashed run's holds to the next life.
#include "worker/embedded_life.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "queue/queue_fixture.h"
#include "queue/sqlite_queue.h"
#include "store/folder_store.h"
#include "worker/run_record.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

class EmbeddedLifeTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<EmbeddedLife>> start(const std::string& name) {
    auto q = SqliteQueue::open(name);
    if (!q.ok()) return q.error();
    return EmbeddedLife::start(std::move(*q), name, limits_, options_, clock_, log_);
  }
  bool logged(const std::string& part) const {
    for (const auto& line : log_.lines()) {
      if (line.find(part) != std::string::npos) return true;
    }
    return false;
  }

  TempDir dir_;
  const std::string db_ = dir_.file("q.db");
  HostLimits limits_{2};
  LifeOptions options_;
  FakeClock clock_{kT0};
  MemoryLogger log_;
};

TEST_F(EmbeddedLifeTest, ASecondLifeOnTheSameFileIsRefusedWithTheRunLockError) {
  auto first = start(db_);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  fs::create_symlink(db_, dir_.file("other-name.db"));
  for (const std::string& name : {db_, dir_.file("other-name.db")}) {
    auto second = start(name);
    ASSERT_FALSE(second.ok()) << name;
    EXPECT_EQ(second.error().reason, Reason::io);
    // The whole message is the detail (worker_life.h): the run lock's own refusal.
    EXPECT_NE(second.error().detail.find("another sluice run (pid " + std::to_string(::getpid())),
              std::string::npos)
        << second.error().detail;
  }
  first->reset();  // the life goes: its lock with it
  auto third = start(db_);
  EXPECT_TRUE(third.ok()) << third.error().to_string();
}

TEST_F(EmbeddedLifeTest, BeginTakesEveryLeaseBackAndEmptiesTheSpool) {
  {
    auto earlier = SqliteQueue::open(db_);  // a run that died holding leases
    ASSERT_TRUE(earlier.ok());
    ASSERT_TRUE((*earlier)
                    ->enqueue({job("a", "http://h.example/a"), job("b", "http://h.example/b"),
                               job("c", "http://h.example/c")},
                              kT0)
                    .ok());
    LeaseRequest req;
    req.max = 2;
    req.now_ms = kT0;
    req.lease_ms = 3'600'000;  // far from expired
    auto leased = (*earlier)->lease(req);
    ASSERT_TRUE(leased.ok());
    ASSERT_EQ(leased->size(), 2u);
  }
  auto store = FolderStore::open(dir_.file("store"));
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  fs::create_directories((*store)->spool_dir());
  const fs::path leftover = (*store)->spool_dir() / "fetch-1-dead.part";
  std::ofstream(leftover) << "half a body";

  auto life = start(db_);
  ASSERT_TRUE(life.ok()) << life.error().to_string();
  Status begun = (*life)->begin(**store);
  ASSERT_TRUE(begun.ok()) << begun.error().to_string();
  auto stats = (*life)->queue().stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->all.leased, 0u);
  EXPECT_EQ(stats->all.queued, 3u);
  EXPECT_TRUE(logged("reclaimed 2 jobs leased by an earlier run"));
  EXPECT_FALSE(fs::exists(leftover));
}

TEST_F(EmbeddedLifeTest, TheHoldsOfACrashedRunAreHandedToTheEngine) {
  // The last beat of a run that crashed (no final beat) while it used the host.
  Heartbeat hb;
  hb.at_ms = kT0 - 2'000;
  hb.abandon_hold_ms = 30'000;
  hb.busy = {{"img.example:443", 2}};
  hb.holds = {{"cdn.example:80", SlotHold{1, kT0 + 5'000}}};
  write_run_record(run_record_path(db_), hb, log_);

  auto life = start(db_);
  ASSERT_TRUE(life.ok()) << life.error().to_string();
  EXPECT_EQ((*life)->record_path(), db_ + ".run");
  EngineOptions eo;
  eo.heartbeat_interval_ms = 1'000;
  eo.abandon_hold_ms = 10'000;  // shorter than the crashed run's: its own counts
  const int64_t lease_ms = eo.lease_ms;
  (*life)->configure(eo);
  ASSERT_EQ(eo.holds.size(), 2u);
  EXPECT_EQ(eo.holds["img.example:443"].slots, 2);
  EXPECT_EQ(eo.holds["img.example:443"].until_ms, kT0 - 2'000 + 1'000 + 30'000);
  EXPECT_EQ(eo.holds["cdn.example:80"].slots, 1);
  EXPECT_EQ(eo.holds["cdn.example:80"].until_ms, kT0 + 5'000);
  // Nothing a Redis worker changes.
  EXPECT_EQ(eo.lease_ms, lease_ms);
  EXPECT_FALSE(eo.close_idle);
}

TEST_F(EmbeddedLifeTest, RestartGraceShortensTheHolds) {
  Heartbeat hb;
  hb.at_ms = kT0;
  hb.abandon_hold_ms = 30'000;
  hb.busy = {{"img.example:443", 2}};
  write_run_record(run_record_path(db_), hb, log_);
  options_.restart_grace_ms = 3'000;
  auto life = start(db_);
  ASSERT_TRUE(life.ok()) << life.error().to_string();
  EngineOptions eo;
  (*life)->configure(eo);
  ASSERT_EQ(eo.holds.count("img.example:443"), 1u);
  EXPECT_EQ(eo.holds["img.example:443"].until_ms, kT0 + 3'000);
}

TEST_F(EmbeddedLifeTest, HeartbeatsGoToTheRecordTheNextLifeReads) {
  auto life = start(db_);
  ASSERT_TRUE(life.ok()) << life.error().to_string();
  auto sink = (*life)->heartbeat_sink();
  ASSERT_TRUE(sink);
  Heartbeat hb;
  hb.at_ms = kT0;
  hb.busy = {{"img.example:443", 2}};
  sink(hb);
  nlohmann::json j = read_run_status(db_ + ".run");
  ASSERT_TRUE(j.is_object()) << j.dump();
  EXPECT_EQ(j["busy"]["img.example:443"], 2);
  // The last beat of a run that ends with nothing busy nor held removes the file.
  Heartbeat last;
  last.at_ms = kT0 + 1'000;
  last.final = true;
  sink(last);
  EXPECT_FALSE(fs::exists(db_ + ".run"));
}

TEST_F(EmbeddedLifeTest, TheGateIsThisProcesssOwnWithTheRunsLimits) {
  auto life = start(db_);
  ASSERT_TRUE(life.ok()) << life.error().to_string();
  Gate& gate = (*life)->gate();
  EXPECT_TRUE(gate.try_acquire("h.example:80", clock_.steady_ms()));
  EXPECT_TRUE(gate.try_acquire("h.example:80", clock_.steady_ms()));
  EXPECT_FALSE(gate.try_acquire("h.example:80", clock_.steady_ms()));  // the cap of 2
  gate.release("h.example:80");
  gate.release("h.example:80");
}

}  // namespace
}  // namespace sluice::testing
