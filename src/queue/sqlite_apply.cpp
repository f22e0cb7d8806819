// SqliteQueue::apply: a batch of state changes in one transaction (group commit), all or
// nothing.
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

// Why seq is not leased by owner, for the error that rejects the batch.
Error not_leased(SqliteStatements& st, int64_t seq, const std::string& owner) {
  std::string why = "no such job";
  sqlite::StmtUse q(st.lease_of);
  q->bind(1, seq);
  auto row = q->step();
  if (!row.ok()) return row.error();
  if (*row) {
    auto state = static_cast<JobState>(q->int64(0));
    why = state == JobState::leased ? "it is leased by " + q->text(1)
                                    : std::string("it is ") + state_name(state);
  }
  return make_error(Reason::internal, "seq " + std::to_string(seq) + " is not leased by " + owner +
                                          " (" + why + "); nothing in the batch applied");
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

}  // namespace

Status SqliteQueue::apply(const std::vector<Transition>& batch, int64_t now_ms) {
  if (batch.empty()) return Status();
  std::lock_guard lock(impl_->mu);
  auto& st = impl_->st;
  sqlite::Txn txn(impl_->db);
  if (Status s = txn.begin_write(); !s.ok()) return s;
  for (const Transition& t : batch) {
    {
      sqlite::StmtUse q(statement_for(st, t.kind));
      q->bind(1, t.seq).bind(2, impl_->owner).bind(3, now_ms);
      bind_transition(*q, t);
      if (Status s = q->run(); !s.ok()) return s;
    }
    // The transaction rolls back as txn goes out of scope.
    if (impl_->db.changes() != 1) return not_leased(st, t.seq, impl_->owner);
  }
  return txn.commit();
}

}  // namespace sluice
