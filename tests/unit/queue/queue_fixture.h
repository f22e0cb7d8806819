// The typed fixture every queue behaviour test runs on: MemoryQueue, SqliteQueue (a file in
// a fresh temporary directory) and RedisQueue (keys under a fresh prefix on the redis-server
// this test process starts, redis_server.h) must behave alike.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "queue/memory_queue.h"
#include "queue/redis_queue.h"
#include "queue/sqlite_queue.h"
#include "redis_server.h"

namespace sluice::testing {

constexpr int64_t kT0 = 1'700'000'000'000;

// A fresh directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // The directory's own name ("sluice-test-AbC123"): unique, like the directory.
  std::string name() const { return path_.substr(path_.rfind('/') + 1); }

 private:
  std::string path_;
};

template <class Q>
struct QueueMaker;

template <>
struct QueueMaker<MemoryQueue> {
  static std::unique_ptr<MemoryQueue> make(const TempDir&, const std::string& owner) {
    return std::make_unique<MemoryQueue>(owner);
  }
};

template <>
struct QueueMaker<SqliteQueue> {
  static std::unique_ptr<SqliteQueue> make(const TempDir& dir, const std::string& owner) {
    SqliteOptions options;
    options.owner = owner;
    auto q = SqliteQueue::open(dir.file("queue.db"), options);
    EXPECT_TRUE(q.ok()) << q.error().to_string();
    return q.ok() ? std::move(*q) : nullptr;
  }
};

// A queue on the shared redis-server, its keys under a prefix named after dir: the same dir
// opens the same queue again, another dir a fresh one.
template <>
struct QueueMaker<RedisQueue> {
  static std::unique_ptr<RedisQueue> make(const TempDir& dir, const std::string& owner) {
    RedisServer* server = shared_redis_server();
    if (!server) return nullptr;
    RedisQueueOptions options;
    options.prefix = dir.name();
    options.owner = owner;
    auto q = RedisQueue::open(server->address(), options);
    EXPECT_TRUE(q.ok()) << q.error().to_string();
    return q.ok() ? std::move(*q) : nullptr;
  }
};

inline JobInput job(const std::string& id, const std::string& url) { return {id, url, ""}; }

// Applies a batch and says whether every transition of it was applied.
inline ::testing::AssertionResult all_applied(Queue& q, const std::vector<Transition>& batch,
                                              int64_t now) {
  auto r = q.apply(batch, now);
  if (!r.ok()) return ::testing::AssertionFailure() << r.error().to_string();
  if (!r->rejected.empty()) return ::testing::AssertionFailure() << r->rejected[0].detail;
  return ::testing::AssertionSuccess();
}

template <class Q>
class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    q_ = QueueMaker<Q>::make(dir_, "owner-a");
    ASSERT_NE(q_, nullptr);
  }

  Q& q() { return *q_; }

  EnqueueStats enqueue(const std::vector<JobInput>& jobs, int64_t now = kT0) {
    auto r = q_->enqueue(jobs, now);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : EnqueueStats{};
  }

  std::vector<Job> lease(size_t max, int64_t now = kT0, std::vector<std::string> skip = {},
                         int64_t lease_ms = 60'000) {
    LeaseRequest req;
    req.max = max;
    req.now_ms = now;
    req.lease_ms = lease_ms;
    req.skip_hosts = std::move(skip);
    auto r = q_->lease(req);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : std::vector<Job>{};
  }

  // Applies a batch that must be applied whole.
  void apply_ok(const std::vector<Transition>& batch, int64_t now = kT0) {
    auto r = q_->apply(batch, now);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->applied, batch.size());
    for (const auto& x : r->rejected) ADD_FAILURE() << "rejected: " << x.detail;
  }

  // Applies a batch and returns what was rejected.
  std::vector<RejectedTransition> apply_rejected(const std::vector<Transition>& batch,
                                                 int64_t now = kT0) {
    auto r = q_->apply(batch, now);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    if (!r.ok()) return {};
    EXPECT_EQ(r->applied + r->rejected.size(), batch.size());
    return r->rejected;
  }

  QueueStats stats() {
    auto r = q_->stats();
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : QueueStats{};
  }

  std::vector<JobRecord> records() {
    std::vector<JobRecord> out;
    Status s = q_->scan([&](const JobRecord& r) {
      out.push_back(r);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return out;
  }

  JobRecord record(const std::string& id) {
    for (auto& r : records()) {
      if (r.id == id) return r;
    }
    ADD_FAILURE() << "no job " << id;
    return {};
  }

  TempDir dir_;
  std::unique_ptr<Q> q_;
};

inline std::vector<int64_t> seqs(const std::vector<Job>& jobs) {
  std::vector<int64_t> out;
  for (const auto& j : jobs) out.push_back(j.seq);
  return out;
}

inline Transition complete(int64_t seq, ManifestEntry m = {}) {
  return Transition{Transition::Kind::complete, seq, std::move(m), 0, {}, {}};
}
inline Transition retry(int64_t seq, int64_t not_before, std::string code) {
  return Transition{Transition::Kind::retry, seq, {}, not_before, std::move(code), "detail"};
}
inline Transition bury(int64_t seq, std::string code) {
  return Transition{Transition::Kind::bury, seq, {}, 0, std::move(code), "detail"};
}
inline Transition release(int64_t seq) {
  return Transition{Transition::Kind::release, seq, {}, 0, {}, {}};
}
inline Transition defer(int64_t seq, int64_t not_before, std::string code) {
  return Transition{Transition::Kind::defer, seq, {}, not_before, std::move(code), "slow"};
}

struct QueueTypeNames {
  template <class Q>
  static std::string GetName(int) {
    if (std::is_same_v<Q, MemoryQueue>) return "Memory";
    return std::is_same_v<Q, SqliteQueue> ? "Sqlite" : "Redis";
  }
};

// Every backend.
using QueueTypes = ::testing::Types<MemoryQueue, SqliteQueue, RedisQueue>;
// The backends that several handles (processes, machines) share: QueueMaker opens the same
// queue again for the same TempDir.
using SharedQueueTypes = ::testing::Types<SqliteQueue, RedisQueue>;

}  // namespace sluice::testing
