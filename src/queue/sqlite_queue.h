// The default queue: jobs and manifest in one SQLite file (design.md "Delivery").
//
// Durability. The file is in WAL mode, and every call is one transaction.
//  - SqliteOptions::Durability::normal (the default, synchronous=NORMAL): a committed
//    transaction survives a crash of the process (kill -9), but the last commits before a
//    power cut or an OS crash may be lost; the file is never corrupted either way. Losing
//    them is harmless: the jobs are leased (or done) again and fetched once more.
//  - Durability::full (synchronous=FULL): the WAL is fsynced at every commit, so commits
//    survive a power cut too, at one fsync per call; group commits (apply) keep that
//    cheap per job.
//
// Schema. PRAGMA user_version holds the schema version (kSchemaVersion); open() creates
// or migrates the file and refuses one written by a newer sluice.
//
// Concurrency. One handle is one connection; its calls are serialised by a mutex.
// Several processes may open the file (busy_timeout waits for the write lock), but only
// one `sluice run` at a time (RunLock), because leases from two runs would double the
// per-host cap.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "queue/queue.h"

namespace sluice {

struct SqliteOptions {
  enum class Durability { normal, full };
  Durability durability = Durability::normal;
  int busy_timeout_ms = 10'000;  // how long a call waits for another writer
  int cache_mib = 64;            // page cache; lookups by id during enqueue need it
  std::string owner;             // lease owner id; empty: make_owner_id()
};

class SqliteQueue final : public Queue {
 public:
  static constexpr int kSchemaVersion = 2;

  // Opens or creates the file at path (":memory:" works too, without WAL).
  static Result<std::unique_ptr<SqliteQueue>> open(const std::string& path,
                                                   const SqliteOptions& options = {});
  ~SqliteQueue() override;
  SqliteQueue(const SqliteQueue&) = delete;
  SqliteQueue& operator=(const SqliteQueue&) = delete;

  Result<EnqueueStats> enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) override;
  Result<std::vector<Job>> lease(const LeaseRequest& req) override;
  Result<ApplyResult> apply(const std::vector<Transition>& batch, int64_t now_ms) override;
  Result<uint64_t> reclaim(int64_t now_ms, bool all_leases) override;
  Result<uint64_t> replay(const DeadFilter& filter, int64_t now_ms) override;
  Result<QueueStats> stats() override;
  Result<std::optional<int64_t>> next_ready_ms() override;
  // Reads pages of rows in short transactions and calls fn outside the lock, so fn may
  // use the queue; rows changed during the scan are seen as of their page.
  Status scan(const std::function<bool(const JobRecord&)>& fn) override;
  // Pages like scan, in (error_code, seq) order, through the jobs_dead index only.
  Status scan_dead(const DeadFilter& filter,
                   const std::function<bool(const JobRecord&)>& fn) override;

  // The lease owner id this handle leases and applies as.
  std::string owner() const;
  void set_owner(std::string owner);

  // The value of a pragma on this connection ("journal_mode", "synchronous", ...).
  Result<std::string> pragma(std::string_view name);

  struct Impl;

 private:
  explicit SqliteQueue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
