// A Queue that forwards every call to a MemoryQueue of its own. A test derives from it and
// overrides only the calls it watches or bends (counting leases, failing apply, answering
// next_ready_ms as a shared queue would), calling ForwardingQueue's for the real work.
#pragma once

#include "queue/memory_queue.h"

namespace sluice {

class ForwardingQueue : public Queue {
 public:
  Result<EnqueueStats> enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) override {
    return q_.enqueue(jobs, now_ms);
  }
  Result<std::vector<Job>> lease(const LeaseRequest& req) override { return q_.lease(req); }
  Result<ApplyResult> apply(const std::vector<Transition>& batch, int64_t now_ms) override {
    return q_.apply(batch, now_ms);
  }
  Result<uint64_t> reclaim(int64_t now_ms, bool all) override { return q_.reclaim(now_ms, all); }
  Result<uint64_t> replay(const DeadFilter& f, int64_t now_ms) override {
    return q_.replay(f, now_ms);
  }
  Status scan_dead(const DeadFilter& f, const std::function<bool(const JobRecord&)>& fn) override {
    return q_.scan_dead(f, fn);
  }
  Result<QueueStats> stats() override { return q_.stats(); }
  Result<std::optional<int64_t>> next_ready_ms() override { return q_.next_ready_ms(); }
  Status scan(const std::function<bool(const JobRecord&)>& fn) override { return q_.scan(fn); }

 private:
  MemoryQueue q_;
};

}  // namespace sluice
