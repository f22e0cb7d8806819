#include "queue/memory_queue.h"

#include <algorithm>
#include <tuple>

#include "queue/dead_filter.h"
#include "queue/job_check.h"
#include "queue/owner_id.h"

namespace sluice {

MemoryQueue::MemoryQueue(std::string owner)
    : owner_(owner.empty() ? make_owner_id() : std::move(owner)) {}

std::string MemoryQueue::owner() const {
  std::lock_guard lock(mu_);
  return owner_;
}

void MemoryQueue::set_owner(std::string owner) {
  std::lock_guard lock(mu_);
  owner_ = std::move(owner);
}

void MemoryQueue::set_state(Row& r, JobState state, int64_t not_before_ms, int64_t now_ms) {
  if (r.rec.state == JobState::queued) ready_.erase({r.not_before_ms, r.rec.seq});
  r.rec.state = state;
  r.not_before_ms = not_before_ms;
  r.rec.updated_at_ms = now_ms;
  if (state != JobState::leased) {
    r.lease_owner.clear();
    r.lease_expires_ms = 0;
  }
  if (state == JobState::queued) ready_.insert({r.not_before_ms, r.rec.seq});
}

Result<EnqueueStats> MemoryQueue::enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) {
  std::lock_guard lock(mu_);
  std::vector<std::string> hosts(jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {  // all or nothing, like the SQLite transaction
    if (Status s = check_job(jobs[i], &hosts[i]); !s.ok()) return s.error();
  }
  EnqueueStats stats;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const JobInput& job = jobs[i];
    auto it = by_id_.find(job.id);
    if (it == by_id_.end()) {
      Row r;
      r.rec.seq = static_cast<int64_t>(rows_.size()) + 1;
      r.rec.id = job.id;
      r.rec.url = job.url;
      r.rec.host_key = hosts[i];
      r.rec.updated_at_ms = now_ms;
      r.not_before_ms = now_ms;
      by_id_.emplace(job.id, r.rec.seq);
      ready_.insert({r.not_before_ms, r.rec.seq});
      rows_.push_back(std::move(r));
      ++stats.inserted;
      continue;
    }
    Row& r = row(it->second);
    const std::string& latest = r.rec.pending_url.empty() ? r.rec.url : r.rec.pending_url;
    if (latest == job.url) {
      ++stats.unchanged;
      continue;
    }
    ++stats.requeued;
    if (r.rec.state == JobState::leased) {
      // The lease and its attempt go on; the new URL waits for the attempt to end.
      bool back_to_current = r.rec.url == job.url;
      r.rec.pending_url = back_to_current ? std::string() : job.url;
      r.pending_host_key = back_to_current ? std::string() : hosts[i];
      continue;
    }
    requeue_with(r, job.url, hosts[i], now_ms);
  }
  return stats;
}

void MemoryQueue::requeue_with(Row& r, std::string url, std::string host_key, int64_t now_ms) {
  r.rec.url = std::move(url);
  r.rec.host_key = std::move(host_key);
  r.rec.pending_url.clear();
  r.pending_host_key.clear();
  r.rec.attempts = 0;
  r.rec.manifest = ManifestEntry{};
  r.rec.error_code.clear();
  r.rec.error_detail.clear();
  set_state(r, JobState::queued, now_ms, now_ms);
}

Result<std::vector<Job>> MemoryQueue::lease(const LeaseRequest& req) {
  std::lock_guard lock(mu_);
  std::unordered_set<std::string> skip(req.skip_hosts.begin(), req.skip_hosts.end());
  std::vector<int64_t> picked;
  for (const auto& [not_before, seq] : ready_) {
    if (picked.size() >= req.max || not_before > req.now_ms) break;
    if (!skip.count(row(seq).rec.host_key)) picked.push_back(seq);
  }
  std::vector<Job> jobs;
  for (int64_t seq : picked) {
    Row& r = row(seq);
    set_state(r, JobState::leased, r.not_before_ms, req.now_ms);
    r.lease_owner = owner_;
    r.lease_expires_ms = req.now_ms + req.lease_ms;
    jobs.push_back(Job{seq, r.rec.id, r.rec.url, r.rec.host_key, r.rec.attempts});
  }
  return jobs;
}

std::optional<RejectedTransition> MemoryQueue::check_leased(
    const Transition& t, const std::unordered_set<int64_t>& earlier) const {
  if (t.seq < 1 || t.seq > static_cast<int64_t>(rows_.size())) {
    return make_rejection(t, StaleReason::no_such_job, JobState::queued, owner_, "");
  }
  if (earlier.count(t.seq)) {
    return make_rejection(t, StaleReason::twice_in_batch, JobState::queued, owner_, "");
  }
  const Row& r = rows_[static_cast<size_t>(t.seq - 1)];
  if (r.rec.state != JobState::leased) {
    return make_rejection(t, StaleReason::not_leased, r.rec.state, owner_, "");
  }
  if (r.lease_owner != owner_) {
    return make_rejection(t, StaleReason::leased_by_other, r.rec.state, owner_, r.lease_owner);
  }
  return std::nullopt;
}

Result<ApplyResult> MemoryQueue::apply(const std::vector<Transition>& batch, int64_t now_ms) {
  std::lock_guard lock(mu_);
  ApplyResult out;
  std::unordered_set<int64_t> seen;
  for (const Transition& t : batch) {
    auto rejected = check_leased(t, seen);
    seen.insert(t.seq);
    if (rejected) {
      out.rejected.push_back(std::move(*rejected));
      continue;
    }
    ++out.applied;
    Row& r = row(t.seq);
    if (!r.rec.pending_url.empty()) {
      // The attempt was for the old URL: its outcome is discarded (queue.h).
      requeue_with(r, r.rec.pending_url, r.pending_host_key, now_ms);
      continue;
    }
    switch (t.kind) {
      case Transition::Kind::complete:
        r.rec.attempts += 1;
        r.rec.manifest = t.manifest;
        r.rec.error_code.clear();
        r.rec.error_detail.clear();
        set_state(r, JobState::done, r.not_before_ms, now_ms);
        break;
      case Transition::Kind::retry:
        r.rec.attempts += 1;
        [[fallthrough]];
      case Transition::Kind::defer:
        r.rec.error_code = t.error_code;
        r.rec.error_detail = t.error_detail;
        set_state(r, JobState::queued, t.not_before_ms, now_ms);
        break;
      case Transition::Kind::bury:
        r.rec.attempts += 1;
        r.rec.error_code = t.error_code;
        r.rec.error_detail = t.error_detail;
        set_state(r, JobState::dead, r.not_before_ms, now_ms);
        break;
      case Transition::Kind::release:
        set_state(r, JobState::queued, r.not_before_ms, now_ms);
        break;
    }
  }
  return out;
}

Result<uint64_t> MemoryQueue::reclaim(int64_t now_ms, bool all_leases) {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (Row& r : rows_) {
    if (r.rec.state != JobState::leased) continue;
    if (!all_leases && r.lease_expires_ms > now_ms) continue;
    if (r.rec.pending_url.empty()) {
      set_state(r, JobState::queued, r.not_before_ms, now_ms);
    } else {
      requeue_with(r, r.rec.pending_url, r.pending_host_key, now_ms);
    }
    ++n;
  }
  return n;
}

Result<uint64_t> MemoryQueue::replay(const DeadFilter& filter, int64_t now_ms) {
  if (Status s = check_replay_filter(filter); !s.ok()) return s.error();
  DeadMatch match(filter);
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (Row& r : rows_) {
    if (!match.matches(r.rec)) continue;
    r.rec.attempts = 0;
    r.rec.error_code.clear();
    r.rec.error_detail.clear();
    set_state(r, JobState::queued, now_ms, now_ms);
    ++n;
  }
  return n;
}

Result<QueueStats> MemoryQueue::stats() {
  std::lock_guard lock(mu_);
  QueueStats out;
  for (const Row& r : rows_) {
    out.all.of(r.rec.state) += 1;
    out.by_host[r.rec.host_key].of(r.rec.state) += 1;
    if (r.rec.state == JobState::dead) out.dead_by_reason[r.rec.error_code] += 1;
  }
  return out;
}

Result<std::optional<int64_t>> MemoryQueue::next_ready_ms() {
  std::lock_guard lock(mu_);
  if (ready_.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(ready_.begin()->first);
}

Status MemoryQueue::scan(const std::function<bool(const JobRecord&)>& fn) {
  // Copies one row at a time under the lock, so fn may call back into the queue.
  for (size_t i = 0;; ++i) {
    JobRecord rec;
    {
      std::lock_guard lock(mu_);
      if (i >= rows_.size()) return Status();
      rec = rows_[i].rec;
    }
    if (!fn(rec)) return Status();
  }
}

Status MemoryQueue::scan_dead(const DeadFilter& filter,
                              const std::function<bool(const JobRecord&)>& fn) {
  DeadMatch match(filter);
  std::vector<JobRecord> dead;
  {
    std::lock_guard lock(mu_);
    for (const Row& r : rows_) {
      if (match.matches(r.rec)) dead.push_back(r.rec);
    }
  }
  // SqliteQueue's order: by error code (byte order, as SQLite compares), then seq.
  std::sort(dead.begin(), dead.end(), [](const JobRecord& a, const JobRecord& b) {
    return std::tie(a.error_code, a.seq) < std::tie(b.error_code, b.seq);
  });
  for (const JobRecord& r : dead) {
    if (!fn(r)) break;
  }
  return Status();
}

}  // namespace sluice
