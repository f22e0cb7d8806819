// An in-memory Queue with the same semantics as SqliteQueue (same ordering, same
// all-or-nothing apply, same seq numbering), for engine tests. Nothing survives the
// object. Thread-safe: every call takes one mutex.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
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
  Status apply(const std::vector<Transition>& batch, int64_t now_ms) override;
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
    JobRecord rec;
    int64_t not_before_ms = 0;
    std::string lease_owner;
    int64_t lease_expires_ms = 0;
  };
  using ReadyKey = std::pair<int64_t, int64_t>;  // (not_before_ms, seq) of a queued row

  Row& row(int64_t seq) { return rows_[static_cast<size_t>(seq - 1)]; }
  // Moves a row to a new state, keeping ready_ in step.
  void set_state(Row& r, JobState state, int64_t not_before_ms, int64_t now_ms);
  Status check_leased(int64_t seq, const std::vector<int64_t>& earlier) const;

  mutable std::mutex mu_;
  std::string owner_;
  std::vector<Row> rows_;  // rows_[seq - 1]
  std::unordered_map<std::string, int64_t> by_id_;
  std::set<ReadyKey> ready_;
};

}  // namespace sluice
