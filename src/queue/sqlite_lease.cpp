// SqliteQueue::lease: pick the oldest ready jobs, skipping full hosts, and mark them leased.
//
// The common case walks the jobs_ready index in (not_before, seq) order and stops after
// req.max rows. When skip_hosts are given, the head of that line may belong to skipped
// hosts (one busy host with a million jobs ahead of a small one), so the walk is bounded;
// past the bound the pick is made host by host on jobs_host instead: a loose index scan
// over the distinct hosts and, for each host not skipped, its oldest ready jobs. Either way
// no lease costs more than the bound plus a few index seeks per host.
#include <algorithm>
#include <unordered_set>

#include "queue/sqlite_queue_impl.h"

namespace sluice {
namespace {

// Rows of the ready line examined beyond req.max before switching to the per-host pick.
constexpr size_t kScanBudget = 1024;

struct Candidate {
  int64_t not_before_ms;
  int64_t seq;
  bool operator<(const Candidate& o) const {
    return not_before_ms != o.not_before_ms ? not_before_ms < o.not_before_ms : seq < o.seq;
  }
};

using HostSet = std::unordered_set<std::string>;

// The walk along the ready line. *complete is false when the budget ran out first.
Result<std::vector<Candidate>> pick_in_line(SqliteStatements& st, const LeaseRequest& req,
                                            const HostSet& skip, bool* complete) {
  std::vector<Candidate> out;
  sqlite::StmtUse q(st.ready);
  q->bind(1, req.now_ms);
  size_t examined = 0;
  *complete = true;
  while (out.size() < req.max) {
    auto row = q->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    if (!skip.empty() && ++examined > req.max + kScanBudget) {
      *complete = false;
      break;
    }
    if (!skip.empty() && skip.count(q->text(2))) continue;
    out.push_back({q->int64(1), q->int64(0)});
  }
  return out;
}

// The host-by-host pick: keeps the req.max oldest candidates over all hosts not skipped.
Result<std::vector<Candidate>> pick_per_host(SqliteStatements& st, const LeaseRequest& req,
                                             const HostSet& skip) {
  std::vector<Candidate> best;  // sorted, at most req.max
  std::string host;             // "" sorts before every host_key
  for (;;) {
    {
      sqlite::StmtUse q(st.next_host);
      q->bind(1, host);
      auto row = q->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      host = q->text(0);
    }
    if (skip.count(host)) continue;
    sqlite::StmtUse q(st.ready_for_host);
    q->bind(1, host).bind(2, req.now_ms).bind(3, static_cast<int64_t>(req.max));
    for (;;) {
      auto row = q->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      Candidate c{q->int64(1), q->int64(0)};
      if (best.size() == req.max && !(c < best.back())) break;  // this host has no better
      best.insert(std::upper_bound(best.begin(), best.end(), c), c);
      if (best.size() > req.max) best.pop_back();
    }
  }
  return best;
}

}  // namespace

Result<std::vector<Job>> SqliteQueue::lease(const LeaseRequest& req) {
  std::vector<Job> jobs;
  if (req.max == 0) return jobs;
  std::lock_guard lock(impl_->mu);
  auto& st = impl_->st;
  sqlite::Txn txn(impl_->db);
  if (Status s = txn.begin_write(); !s.ok()) return s.error();

  HostSet skip(req.skip_hosts.begin(), req.skip_hosts.end());
  bool complete = true;
  auto picked = pick_in_line(st, req, skip, &complete);
  if (picked.ok() && !complete) picked = pick_per_host(st, req, skip);
  if (!picked.ok()) return picked.error();

  jobs.reserve(picked->size());
  for (const Candidate& c : *picked) {
    {
      sqlite::StmtUse q(st.take);
      q->bind(1, c.seq).bind(2, impl_->owner).bind(3, req.now_ms + req.lease_ms);
      q->bind(4, req.now_ms);
      if (Status s = q->run(); !s.ok()) return s.error();
    }
    if (impl_->db.changes() != 1) {
      return make_error(Reason::internal,
                        "lease: seq " + std::to_string(c.seq) + " was not queued when taken");
    }
    sqlite::StmtUse q(st.taken);
    q->bind(1, c.seq);
    auto row = q->step();
    if (!row.ok()) return row.error();
    if (!*row) {
      return make_error(Reason::internal, "lease: seq " + std::to_string(c.seq) + " is gone");
    }
    jobs.push_back(Job{c.seq, q->text(0), q->text(1), q->text(2), static_cast<int>(q->int64(3))});
  }
  if (Status s = txn.commit(); !s.ok()) return s.error();
  return jobs;
}

}  // namespace sluice
