#include "queue/lease_keeper.h"

#include <algorithm>
#include <chrono>

namespace sluice {

LeaseKeeper::LeaseKeeper(RedisQueue& queue, int64_t ttl_ms, const Clock& clock, Logger& log)
    : queue_(queue), ttl_ms_(ttl_ms), clock_(clock), log_(log), thread_([this] { keep(); }) {}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Result<std::vector<Job>> LeaseKeeper::lease(const LeaseRequest& req) {
  LeaseRequest r = req;
  r.lease_ms = ttl_ms_;
  auto jobs = queue_.lease(r);
  if (!jobs.ok()) return jobs;
  std::lock_guard lock(mu_);
  for (const Job& j : *jobs) held_[j.seq] = j;
  return jobs;
}

Result<ApplyResult> LeaseKeeper::apply(const std::vector<Transition>& batch, int64_t now_ms) {
  auto applied = queue_.apply(batch, now_ms);
  if (!applied.ok()) return applied;  // nothing applied: the leases are still ours
  std::lock_guard lock(mu_);
  for (const Transition& t : batch) held_.erase(t.seq);
  return applied;
}

Result<std::optional<int64_t>> LeaseKeeper::next_ready_ms() {
  auto next = queue_.next_ready_ms();
  if (!next.ok() || next->has_value()) return next;
  auto stats = queue_.stats();
  if (!stats.ok()) return stats.error();
  size_t mine = 0;
  {
    std::lock_guard lock(mu_);
    mine = held_.size();
  }
  if (stats->all.leased > mine) {
    const uint64_t others = stats->all.leased - mine;
    return std::optional<int64_t>(clock_.now_ms() +
                                  (others <= kFewLeased ? kFewLeasedPollMs : kOthersPollMs));
  }
  return next;
}

uint64_t LeaseKeeper::leases_lost() const {
  std::lock_guard lock(mu_);
  return lost_;
}

void LeaseKeeper::keep() {
  const auto renew_every = std::chrono::milliseconds(std::max<int64_t>(1, ttl_ms_ / 3));
  const int64_t reclaim_every = std::max<int64_t>(1, ttl_ms_ / 2);
  int64_t last_reclaim = clock_.steady_ms();
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, renew_every, [this] { return stop_; })) {
    std::vector<Job> jobs;
    jobs.reserve(held_.size());
    for (const auto& [seq, job] : held_) jobs.push_back(job);
    lock.unlock();
    const int64_t now = clock_.now_ms();
    auto lost = queue_.renew(jobs, now, ttl_ms_);
    if (!lost.ok()) log_.warn("could not renew job leases: " + lost.error().to_string());
    uint64_t reclaimed = 0;
    if (clock_.steady_ms() - last_reclaim >= reclaim_every) {
      last_reclaim = clock_.steady_ms();
      auto r = queue_.reclaim(now, /*all_leases=*/false);
      if (r.ok()) reclaimed = *r;
    }
    if (reclaimed > 0) {
      log_.info("reclaimed " + std::to_string(reclaimed) +
                " jobs whose lease expired (a worker stopped renewing)");
    }
    lock.lock();
    size_t gone = 0;  // still held here: not just applied while the renewal ran
    if (lost.ok()) {
      for (int64_t seq : *lost) gone += held_.erase(seq);
    }
    if (gone > 0) {
      lost_ += gone;
      log_.warn(std::to_string(gone) +
                " job leases were lost (reclaimed by another worker after they expired): "
                "their outcome here will be dropped");
    }
  }
}

}  // namespace sluice
