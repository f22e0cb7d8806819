// SqliteQueue's read side: stats, next_ready_ms and the streaming scan.
#include "queue/sqlite_queue_impl.h"

namespace sluice {
namespace {

constexpr int64_t kScanPageRows = 512;

}  // namespace

JobRecord read_record(sqlite::Stmt& q) {
  JobRecord r;
  r.seq = q.int64(0);
  r.id = q.text(1);
  r.url = q.text(2);
  r.host_key = q.text(3);
  r.state = static_cast<JobState>(q.int64(4));
  r.attempts = static_cast<int>(q.int64(5));
  r.manifest.key = q.text(6);
  r.manifest.sha256 = q.text(7);
  r.manifest.bytes = static_cast<uint64_t>(q.int64(8));
  r.manifest.content_type = q.text(9);
  r.manifest.etag = q.text(10);
  r.manifest.last_modified = q.text(11);
  r.error_code = q.text(12);
  r.error_detail = q.text(13);
  r.updated_at_ms = q.int64(14);
  r.pending_url = q.text(15);
  return r;
}

Result<QueueStats> SqliteQueue::stats() {
  std::lock_guard lock(impl_->mu);
  auto& st = impl_->st;
  QueueStats out;
  sqlite::Txn txn(impl_->db);  // one snapshot, so the counts add up
  if (Status s = txn.begin_read(); !s.ok()) return s.error();
  {
    sqlite::StmtUse q(st.count_by_host);
    for (;;) {
      auto row = q->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      auto state = static_cast<JobState>(q->int64(1));
      auto n = static_cast<uint64_t>(q->int64(2));
      out.by_host[q->text(0)].of(state) += n;
      out.all.of(state) += n;
    }
  }
  {
    sqlite::StmtUse q(st.dead_by_reason);
    for (;;) {
      auto row = q->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      out.dead_by_reason[q->text(0)] += static_cast<uint64_t>(q->int64(1));
    }
  }
  if (Status s = txn.commit(); !s.ok()) return s.error();
  return out;
}

Result<std::optional<int64_t>> SqliteQueue::next_ready_ms() {
  std::lock_guard lock(impl_->mu);
  sqlite::StmtUse q(impl_->st.next_ready);
  auto row = q->step();
  if (!row.ok()) return row.error();
  if (!*row || q->is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(q->int64(0));
}

Status SqliteQueue::scan(const std::function<bool(const JobRecord&)>& fn) {
  int64_t after = 0;
  std::vector<JobRecord> page;
  for (;;) {
    page.clear();
    {
      std::lock_guard lock(impl_->mu);
      sqlite::StmtUse q(impl_->st.scan_page);
      q->bind(1, after).bind(2, kScanPageRows);
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
    if (static_cast<int64_t>(page.size()) < kScanPageRows) return Status();
    after = page.back().seq;
  }
}

}  // namespace sluice
