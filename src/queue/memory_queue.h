// An in-memory Queue with the same semantics as SqliteQueue (same ordering, same lease
// contract and per-transition apply, same seq numbering, same rejection texts), for engine
// tests. Nothing survives the object. Thread-safe: every call takes one mutex.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "queue/queue.h"

namespace sluice {

class MemoryQueue final : public Queue {
 public:
  // owner: the lease owner id; empty: make_owner_id().
  explicit MemoryQueue(std::string owner = "");

  Result<EnqueueStats> enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) override;
  Result<std::vector<Job>> lease(const LeaseRequest& req) override;
  Result<ApplyResult> apply(const std::vector<Transition>& batch, int64_t now_ms) override;
  Result<uint64_t> reclaim(int64_t now_ms, bool all_leases) override;
  Result<uint64_t> replay(const DeadFilter& filter, int64_t now_ms) override;
  Result<QueueStats> stats() override;
  Result<std::optional<int64_t>> next_ready_ms() override;
  Status scan(const std::function<bool(const JobRecord&)>& fn) override;
  // Copies the matching rows under the lock, then calls fn without it.
  Status scan_dead(const DeadFilter& filter,
                   const std::function<bool(const JobRecord&)>& fn) override;

  std::string owner() const;
  void set_owner(std::string owner);

 private:
  struct Row {
    JobRecord rec;  // rec.pending_url: see Queue::enqueue
    std::string pending_host_key;
    int64_t not_before_ms = 0;
    std::string lease_owner;
    int64_t lease_expires_ms = 0;
  };
  using ReadyKey = std::pair<int64_t, int64_t>;  // (not_before_ms, seq) of a queued row

  Row& row(int64_t seq) { return rows_[static_cast<size_t>(seq - 1)]; }
  // Moves a row to a new state, keeping ready_ in step.
  void set_state(Row& r, JobState state, int64_t not_before_ms, int64_t now_ms);
  // Sets the job's URL (and host), back to queued at now_ms with attempts, error and
  // manifest cleared: a known id with a new URL.
  void requeue_with(Row& r, std::string url, std::string host_key, int64_t now_ms);
  // The rejection of t, if this handle does not hold the lease t names.
  std::optional<RejectedTransition> check_leased(const Transition& t,
                                                 const std::unordered_set<int64_t>& earlier) const;

  mutable std::mutex mu_;
  std::string owner_;                               // GUARDED_BY(mu_)
  std::vector<Row> rows_;                           // GUARDED_BY(mu_): rows_[seq - 1]
  std::unordered_map<std::string, int64_t> by_id_;  // GUARDED_BY(mu_)
  std::set<ReadyKey> ready_;                        // GUARDED_BY(mu_)
};

}  // namespace sluice
