// The Redis queue: the same jobs, states, manifest and dead-letter queue as SqliteQueue, in
// one Redis server that several machines can share (`--queue redis://host:6379/0`). The key
// layout (hash tags per host, which parts are single-slot) is in redis_keys.h, the Lua
// scripts in redis_scripts/.
//
// Semantics. The Queue contract holds as for SqliteQueue, with one Redis script (atomic on
// the server) where SqliteQueue has one transaction: enqueue, apply, replay, stats and each
// page of scan. Two calls are per host instead: lease takes each host's jobs in one script
// per host (in one round trip), and reclaim returns each host's leases in one script per
// host; every job still changes state atomically, so conservation (accepted = queued +
// leased + done + dead) holds at every instant. lease peeks at the hosts' ready jobs first
// and then takes them; another worker may take some in between, and then this one gets
// fewer (never the same job twice).
//
// Times are the callers' (now_ms arguments), not the server's: workers on several machines
// need synchronised clocks (NTP) for not_before and lease expiries to agree.
//
// Durability is the server's: with `appendonly yes` (and `appendfsync always` for no loss
// at all) a restarted Redis keeps every job; with RDB snapshots alone, the writes since the
// last snapshot are lost. sluice does not change the server's configuration.
//
// Errors. A lost connection gives queue_unavailable (retry later; the next call reconnects,
// with backoff) and a Redis error reply gives `redis`; neither loses a job: the state on the
// server is always one that a whole script left. A call that failed that way may or may not
// have run: enqueue and replay are safe to repeat; an apply that did run returns its
// transitions as rejected (not_leased) when repeated, and a lease that did run leaves its
// jobs leased until their lease expires and any worker reclaims them.
//
// Threads. Calls are serialised by a mutex on the one connection; scan and scan_dead call
// fn without it, so fn may use the queue.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "queue/queue.h"
#include "queue/redis_address.h"
#include "queue/redis_connection.h"
#include "util/clock.h"
#include "util/logger.h"

namespace sluice {

struct RedisQueueOptions {
  RedisOptions connection;
  std::string prefix = "sluice";  // key namespace: queues with different prefixes coexist
  std::string owner;              // lease owner id; empty: make_owner_id()
  bool create = true;             // false: a queue that is not there yet is an error
  const Clock* clock = nullptr;   // reconnect backoff; null: the system clock
  Logger* log = nullptr;          // reconnects and lost connections; may be null
};

class RedisQueue final : public Queue {
 public:
  static constexpr int kSchemaVersion = 1;

  // Connects (see RedisConnection::open) and checks the queue's schema version, refusing
  // one written by a newer sluice; without options.create, a queue that has never been
  // written to (no version key) is a bad_input error. options.clock and options.log must
  // outlive the queue.
  static Result<std::unique_ptr<RedisQueue>> open(const RedisAddress& address,
                                                  const RedisQueueOptions& options = {});
  ~RedisQueue() override;
  RedisQueue(const RedisQueue&) = delete;
  RedisQueue& operator=(const RedisQueue&) = delete;

  Result<EnqueueStats> enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) override;
  Result<std::vector<Job>> lease(const LeaseRequest& req) override;
  Result<ApplyResult> apply(const std::vector<Transition>& batch, int64_t now_ms) override;
  Result<uint64_t> reclaim(int64_t now_ms, bool all_leases) override;
  Result<uint64_t> replay(const DeadFilter& filter, int64_t now_ms) override;
  Result<QueueStats> stats() override;
  Result<std::optional<int64_t>> next_ready_ms() override;
  // Pages of 512 jobs, each page one consistent read.
  Status scan(const std::function<bool(const JobRecord&)>& fn) override;
  // Merges the dead sets of the hosts the filter selects, in (error_code, seq) order; a job
  // that changed after its page was read is skipped if it no longer matches.
  Status scan_dead(const DeadFilter& filter,
                   const std::function<bool(const JobRecord&)>& fn) override;

  // Extends the leases this handle holds on jobs to now_ms + lease_ms, one script per host.
  // Returns the seqs whose lease is lost (reclaimed after expiry, re-queued by a new URL, or
  // leased by another owner): their transitions will be rejected and their holder should
  // stop working on them. The LeaseKeeper calls it (a RedisLife's, worker/redis_life.h).
  Result<std::vector<int64_t>> renew(const std::vector<Job>& jobs, int64_t now_ms,
                                     int64_t lease_ms);

  std::string owner() const;
  void set_owner(std::string owner);
  // Drops the connection as a network failure would (tests of the reconnect path).
  void drop_connection_for_test();

  struct Impl;

 private:
  explicit RedisQueue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
