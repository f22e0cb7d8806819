// RedisLife against a real redis-server: any number of lives share one queue and one cap,
// begin() takes back only expired leases and leaves the shared spool alone, and the engine
// gets the keeper's queue, the lease TTL and closing idle connections, and no heartbeats.
#include "worker/redis_life.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gate/redis_gate.h"
#include "queue/queue_fixture.h"
#include "store/folder_store.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

class RedisLifeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    server_ = RedisServer::start({}, &why);
    ASSERT_NE(server_, nullptr) << "cannot start redis-server: " << why;
    spec_ = server_->url() + "/0";
  }
  Result<std::unique_ptr<RedisLife>> start() {
    auto q = RedisQueue::open(server_->address());
    if (!q.ok()) return q.error();
    return RedisLife::start(std::move(*q), spec_, limits_, options_, clock_, log_);
  }

  std::unique_ptr<RedisServer> server_;
  std::string spec_;
  HostLimits limits_{1};
  LifeOptions options_;
  SystemClock clock_;
  MemoryLogger log_;
};

TEST_F(RedisLifeTest, LivesOnOneQueueShareOneCapAndNoneIsRefused) {
  auto a = start();
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  auto b = start();
  ASSERT_TRUE(b.ok()) << b.error().to_string();  // no lock: workers register by leases
  ASSERT_NE(dynamic_cast<RedisGate*>(&(*a)->gate()), nullptr);
  const std::string host = "h.example:80";
  EXPECT_TRUE((*a)->gate().try_acquire(host, clock_.steady_ms()));
  EXPECT_FALSE((*b)->gate().try_acquire(host, clock_.steady_ms()));  // the cap of 1, global
  (*a)->gate().release(host);
  a->reset();  // the life goes, its gate with it: the slot goes back to Redis
  // A bounded poll: the refused gate asks Redis again only after refused_poll_ms.
  bool admitted = false;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!admitted && std::chrono::steady_clock::now() < end) {
    admitted = (*b)->gate().try_acquire(host, clock_.steady_ms());
    if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(admitted);
  if (admitted) {
    (*b)->gate().release(host);
  }
}

TEST_F(RedisLifeTest, BeginTakesBackOnlyExpiredLeasesAndLeavesTheSpool) {
  const int64_t now = clock_.now_ms();
  {
    RedisQueueOptions other;
    other.owner = "another-worker";
    auto q = RedisQueue::open(server_->address(), other);
    ASSERT_TRUE(q.ok()) << q.error().to_string();
    ASSERT_TRUE((*q)->enqueue({job("dead", "http://h.example/dead")}, now - 3'600'000).ok());
    LeaseRequest req;
    req.now_ms = now - 3'600'000;  // a worker that died an hour ago
    req.lease_ms = 10'000;
    ASSERT_EQ((*q)->lease(req)->size(), 1u);
    ASSERT_TRUE((*q)->enqueue({job("alive", "http://h.example/alive")}, now).ok());
    req.now_ms = now;  // a worker that lives and renews
    req.lease_ms = 3'600'000;
    ASSERT_EQ((*q)->lease(req)->size(), 1u);
  }
  auto store =
      FolderStore::open(fs::path(::testing::TempDir()) / ("redis-life-" + std::to_string(now)));
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  fs::create_directories((*store)->spool_dir());
  const fs::path theirs = (*store)->spool_dir() / "fetch-1-alive.part";
  std::ofstream(theirs) << "another worker's body, being written";

  auto life = start();
  ASSERT_TRUE(life.ok()) << life.error().to_string();
  Status begun = (*life)->begin(**store);
  ASSERT_TRUE(begun.ok()) << begun.error().to_string();
  auto stats = (*life)->queue().stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->all.queued, 1u);  // the dead worker's
  EXPECT_EQ(stats->all.leased, 1u);  // the live worker's
  EXPECT_TRUE(fs::exists(theirs));
  std::error_code ec;
  fs::remove_all(fs::path(::testing::TempDir()) / ("redis-life-" + std::to_string(now)), ec);
}

TEST_F(RedisLifeTest, TheEngineGetsTheKeepersQueueTheLeaseTtlAndNoHeartbeats) {
  options_.lease_ttl_ms = 4'000;
  auto life = start();
  ASSERT_TRUE(life.ok()) << life.error().to_string();
  EXPECT_NE(dynamic_cast<LeaseKeeper*>(&(*life)->queue()), nullptr);
  EngineOptions eo;
  (*life)->configure(eo);
  EXPECT_EQ(eo.lease_ms, 4'000);
  EXPECT_TRUE(eo.close_idle);
  EXPECT_TRUE(eo.holds.empty());
  EXPECT_FALSE((*life)->heartbeat_sink());
}

TEST_F(RedisLifeTest, ANonRedisQueueIsRefused) {
  TempDir dir;
  auto q = SqliteQueue::open(dir.file("q.db"));
  ASSERT_TRUE(q.ok());
  auto life = RedisLife::start(std::move(*q), spec_, limits_, options_, clock_, log_);
  ASSERT_FALSE(life.ok());
  EXPECT_EQ(life.error().reason, Reason::internal);
}

}  // namespace
}  // namespace sluice::testing
