// SqliteQueue::apply: a batch of state changes in one transaction (group commit), each
// transition checked on its own (queue.h).
#include <unordered_set>

#include "queue/sqlite_queue_impl.h"

namespace sluice {
namespace {

sqlite::Stmt& statement_for(SqliteStatements& st, Transition::Kind kind) {
  switch (kind) {
    case Transition::Kind::complete:
      return st.complete;
    case Transition::Kind::retry:
      return st.retry;
    case Transition::Kind::bury:
      return st.bury;
    case Transition::Kind::release:
      return st.release;
    case Transition::Kind::defer:
      return st.defer;
  }
  return st.release;
}

void bind_transition(sqlite::Stmt& q, const Transition& t) {
  switch (t.kind) {
    case Transition::Kind::complete: {
      const ManifestEntry& m = t.manifest;
      q.bind(4, m.key).bind(5, m.sha256).bind(6, static_cast<int64_t>(m.bytes));
      q.bind(7, m.content_type).bind(8, m.etag).bind(9, m.last_modified);
      break;
    }
    case Transition::Kind::retry:
    case Transition::Kind::defer:
      q.bind(4, t.not_before_ms).bind(5, t.error_code).bind(6, t.error_detail);
      break;
    case Transition::Kind::bury:
      q.bind(5, t.error_code).bind(6, t.error_detail);
      break;
    case Transition::Kind::release:
      break;
  }
}

// Why t was not applied: the job's state and lease owner as they are now.
Result<RejectedTransition> rejection(SqliteStatements& st, const Transition& t,
                                     const std::string& owner) {
  sqlite::StmtUse q(st.lease_of);
  q->bind(1, t.seq);
  auto row = q->step();
  if (!row.ok()) return row.error();
  if (!*row) return make_rejection(t, StaleReason::no_such_job, JobState::queued, owner, "");
  auto state = static_cast<JobState>(q->int64(0));
  if (state != JobState::leased)
    return make_rejection(t, StaleReason::not_leased, state, owner, "");
  return make_rejection(t, StaleReason::leased_by_other, state, owner, q->text(1));
}

// Runs one of the apply statements for t; true if it changed the job.
Result<bool> run_for(sqlite::Db& db, sqlite::Stmt& stmt, const Transition& t,
                     const std::string& owner, int64_t now_ms, bool with_fields) {
  sqlite::StmtUse q(stmt);
  q->bind(1, t.seq).bind(2, owner).bind(3, now_ms);
  if (with_fields) bind_transition(*q, t);
  if (Status s = q->run(); !s.ok()) return s.error();
  return db.changes() == 1;
}

}  // namespace

Result<ApplyResult> SqliteQueue::apply(const std::vector<Transition>& batch, int64_t now_ms) {
  ApplyResult out;
  if (batch.empty()) return out;
  std::lock_guard lock(impl_->mu);
  auto& st = impl_->st;
  const std::string& owner = impl_->owner;
  sqlite::Txn txn(impl_->db);  // rolls back on every early return below
  if (Status s = txn.begin_write(); !s.ok()) return s.error();
  std::unordered_set<int64_t> seen;
  for (const Transition& t : batch) {
    if (!seen.insert(t.seq).second) {
      out.rejected.push_back(
          make_rejection(t, StaleReason::twice_in_batch, JobState::queued, owner, ""));
      continue;
    }
    // The common case first: leased by us, no pending URL.
    auto done = run_for(impl_->db, statement_for(st, t.kind), t, owner, now_ms, true);
    if (done.ok() && !*done) done = run_for(impl_->db, st.take_pending, t, owner, now_ms, false);
    if (!done.ok()) return done.error();
    if (*done) {
      ++out.applied;
      continue;
    }
    auto why = rejection(st, t, owner);
    if (!why.ok()) return why.error();
    out.rejected.push_back(std::move(*why));
  }
  if (Status s = txn.commit(); !s.ok()) return s.error();
  return out;
}

}  // namespace sluice
