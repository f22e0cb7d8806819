// A worker's job leases on a shared Redis queue, kept alive while the worker lives: a Queue
// that forwards to a RedisQueue, remembers the jobs this handle leased until a transition
// for them is applied, and on a thread of its own renews their leases every ttl / 3 and
// reclaims the expired leases of any worker (one that died) every ttl / 2.
//
// Why: several workers share one queue, so no worker may take every lease back at start
// (the SQLite run lock's way); a lease instead lives ttl_ms past its holder's last renewal,
// and whoever comes next reclaims it. A worker that stalls longer than ttl_ms loses its
// jobs to the others; its transitions for them are then refused as stale and dropped
// (Queue::apply), and the other worker's copy is the one recorded (same key, same bytes).
//
// next_ready_ms() also answers "soon" (kOthersPollMs from now; kFewLeasedPollMs once the
// others hold kFewLeased leases or fewer) while another worker still holds leases, so that a
// worker without --follow does not finish while a job may come back from a dead worker, and
// looks again at that pace rather than at every loop turn.
//
// Threads: the Queue members are called by the engine's thread; the keeper's thread only
// calls RedisQueue::renew and reclaim (RedisQueue serialises calls). The destructor stops
// and joins the thread; queue, clock and log must outlive the keeper.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "queue/redis_queue.h"
#include "util/clock.h"
#include "util/logger.h"
#include "util/thread_annotations.h"

namespace sluice {

class LeaseKeeper final : public Queue {
 public:
  // How soon a worker with nothing to do looks again while others hold leases: their jobs
  // end or come back (lapsed) no sooner than they are seen, and every look costs Redis a
  // lease, a ready check and a stats script.
  static constexpr int64_t kOthersPollMs = 100;
  // ... and once the others hold few leases: their jobs end within a few transfers, and the
  // workers that wait for them finish that much sooner after the last one (measured with
  // bench/workers.sh: the last worker exited 0.10-0.14 s after the last job at 100 ms,
  // 0.03-0.04 s at 20 ms). Only the end of a run pays for the extra looks.
  static constexpr int64_t kFewLeasedPollMs = 20;
  static constexpr uint64_t kFewLeased = 64;

  LeaseKeeper(RedisQueue& queue, int64_t ttl_ms, const Clock& clock, Logger& log);
  ~LeaseKeeper() override;
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  Result<EnqueueStats> enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) override {
    return queue_.enqueue(jobs, now_ms);
  }
  // Leases for ttl_ms (whatever req.lease_ms says) and remembers the jobs.
  Result<std::vector<Job>> lease(const LeaseRequest& req) override;
  // Forgets every job of the batch, applied or refused: either way its lease is over.
  Result<ApplyResult> apply(const std::vector<Transition>& batch, int64_t now_ms) override;
  Result<uint64_t> reclaim(int64_t now_ms, bool all_leases) override {
    return queue_.reclaim(now_ms, all_leases);
  }
  Result<uint64_t> replay(const DeadFilter& filter, int64_t now_ms) override {
    return queue_.replay(filter, now_ms);
  }
  Status scan_dead(const DeadFilter& filter,
                   const std::function<bool(const JobRecord&)>& fn) override {
    return queue_.scan_dead(filter, fn);
  }
  Result<QueueStats> stats() override { return queue_.stats(); }
  // The queue's answer; when nothing is queued but other workers hold leases: now.
  Result<std::optional<int64_t>> next_ready_ms() override;
  Status scan(const std::function<bool(const JobRecord&)>& fn) override { return queue_.scan(fn); }

  // Jobs whose lease this worker found lost (reclaimed by another) since start.
  uint64_t leases_lost() const;

 private:
  void keep();  // the thread

  RedisQueue& queue_;
  const int64_t ttl_ms_;
  const Clock& clock_;
  Logger& log_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::map<int64_t, Job> held_ GUARDED_BY(mu_);  // seq -> job leased by this handle
  uint64_t lost_ GUARDED_BY(mu_) = 0;
  std::thread thread_;  // last: starts once the rest is set up
};

}  // namespace sluice
