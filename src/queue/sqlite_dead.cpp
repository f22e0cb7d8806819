// SqliteQueue's dead-letter queue: replay and scan_dead. Both walk the jobs_dead index one
// error code at a time (sqlite_sql.h), so neither reads jobs in other states.
#include <optional>

#include "queue/dead_filter.h"
#include "queue/sqlite_queue_impl.h"

namespace sluice {
namespace {

constexpr int64_t kDeadPageRows = 512;

// The error code of a dead job after `code` (or at it, with inclusive) in index order.
Result<std::optional<std::string>> seek_reason(SqliteStatements& st, const std::string& code,
                                               bool inclusive) {
  sqlite::StmtUse q(inclusive ? st.dead_first_reason : st.dead_next_reason);
  q->bind(1, code);
  auto row = q->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(q->text(0));
}

// The next error code the filter selects: the first one when after is empty, else the
// one after *after. Holds the queue's lock.
Result<std::optional<std::string>> next_reason(SqliteStatements& st, const DeadMatch& m,
                                               const std::optional<std::string>& after) {
  if (!m.exact_reason().empty()) {
    if (after) return std::optional<std::string>();
    return std::optional<std::string>(m.exact_reason());
  }
  auto code = after ? seek_reason(st, *after, false) : seek_reason(st, m.first_reason(), true);
  for (;;) {
    if (!code.ok() || !*code) return code;
    if (m.past(**code)) return std::optional<std::string>();
    if (m.reason_matches(**code)) return code;
    code = seek_reason(st, **code, false);
  }
}

void bind_host(sqlite::Stmt& q, const DeadMatch& m) {
  q.bind(3, m.host()).bind(4, m.host_lo()).bind(5, m.host_hi());
}

// The dead job with the filter's id, if it matches the rest of the filter too.
Result<std::optional<JobRecord>> dead_by_id(SqliteStatements& st, const DeadMatch& m) {
  sqlite::StmtUse q(st.dead_by_id);
  q->bind(1, m.id());
  auto row = q->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<JobRecord>();
  JobRecord r = read_record(*q);
  if (!m.matches(r)) return std::optional<JobRecord>();
  return std::optional<JobRecord>(std::move(r));
}

}  // namespace

Result<uint64_t> SqliteQueue::replay(const DeadFilter& filter, int64_t now_ms) {
  if (Status s = check_replay_filter(filter); !s.ok()) return s.error();
  DeadMatch m(filter);
  std::lock_guard lock(impl_->mu);
  auto& st = impl_->st;
  // One write transaction: BEGIN IMMEDIATE waits (busy_timeout) for a running `sluice run`
  // to finish its commit. Only rows in state dead change, and the engine only applies
  // transitions to jobs it leased, so the two never touch the same row.
  sqlite::Txn txn(impl_->db);
  if (Status s = txn.begin_write(); !s.ok()) return s.error();
  uint64_t n = 0;
  if (!m.id().empty()) {
    auto rec = dead_by_id(st, m);
    if (!rec.ok()) return rec.error();
    if (*rec) {
      sqlite::StmtUse q(st.replay_seq);
      q->bind(1, (*rec)->seq).bind(2, now_ms);
      if (Status s = q->run(); !s.ok()) return s.error();
      n += static_cast<uint64_t>(impl_->db.changes());
    }
  } else {
    std::optional<std::string> code;
    for (;;) {
      auto next = next_reason(st, m, code);
      if (!next.ok()) return next.error();
      if (!*next) break;
      code = std::move(*next);
      sqlite::StmtUse q(st.replay_reason);
      q->bind(1, *code).bind(6, now_ms);
      bind_host(*q, m);
      if (Status s = q->run(); !s.ok()) return s.error();
      n += static_cast<uint64_t>(impl_->db.changes());
    }
  }
  if (Status s = txn.commit(); !s.ok()) return s.error();
  return n;
}

Status SqliteQueue::scan_dead(const DeadFilter& filter,
                              const std::function<bool(const JobRecord&)>& fn) {
  DeadMatch m(filter);
  auto& st = impl_->st;
  if (!m.id().empty()) {
    std::unique_lock lock(impl_->mu);
    auto rec = dead_by_id(st, m);
    lock.unlock();
    if (!rec.ok()) return rec.error();
    if (*rec) fn(**rec);
    return Status();
  }
  // Each page is read under the lock in its own short read; fn runs without the lock.
  std::optional<std::string> code;
  int64_t after = 0;
  std::vector<JobRecord> page;
  for (;;) {
    page.clear();
    {
      std::lock_guard lock(impl_->mu);
      if (after == 0) {
        auto next = next_reason(st, m, code);
        if (!next.ok()) return next.error();
        if (!*next) return Status();
        code = std::move(*next);
      }
      sqlite::StmtUse q(st.dead_page);
      q->bind(1, *code).bind(2, after).bind(6, kDeadPageRows);
      bind_host(*q, m);
      for (;;) {
        auto row = q->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        page.push_back(read_record(*q));
      }
    }
    for (const JobRecord& r : page) {
      if (!fn(r)) return Status();
    }
    // A short page ends this error code; the next round seeks the next one.
    after = static_cast<int64_t>(page.size()) < kDeadPageRows ? 0 : page.back().seq;
  }
}

}  // namespace sluice
