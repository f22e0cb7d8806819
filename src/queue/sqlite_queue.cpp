// SqliteQueue: opening the file, enqueue and reclaim. Leasing is in sqlite_lease.cpp, apply
// in sqlite_apply.cpp, the read side in sqlite_read.cpp, the dead-letter queue (replay,
// scan_dead) in sqlite_dead.cpp.
#include "queue/sqlite_queue.h"

#include <cctype>

#include "queue/job_check.h"
#include "queue/owner_id.h"
#include "queue/sqlite_queue_impl.h"

namespace sluice {
namespace {

Status configure(sqlite::Db& db, const SqliteOptions& options) {
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  auto mode = db.query_text("PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.error();
  if (*mode != "wal" && *mode != "memory") {
    return make_error(Reason::io, "sqlite: could not switch the queue file to WAL mode (got '" +
                                      *mode + "'); is it on a network file system?");
  }
  const char* sync = options.durability == SqliteOptions::Durability::full
                         ? "PRAGMA synchronous = FULL"
                         : "PRAGMA synchronous = NORMAL";
  if (Status s = db.exec(sync); !s.ok()) return s;
  std::string cache = "PRAGMA cache_size = -" + std::to_string(options.cache_mib * 1024);
  if (Status s = db.exec(cache.c_str()); !s.ok()) return s;
  // Checkpoint every 64 MiB of WAL instead of SQLite's 4 MiB: a batch of random ids
  // dirties pages all over the id index, and copying them back after every commit cost a
  // third of enqueue's time. journal_size_limit trims the WAL back after a checkpoint.
  if (Status s = db.exec("PRAGMA wal_autocheckpoint = 16384"); !s.ok()) return s;
  if (Status s = db.exec("PRAGMA journal_size_limit = 67108864"); !s.ok()) return s;
  return db.exec("PRAGMA temp_store = MEMORY");
}

}  // namespace

SqliteQueue::SqliteQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteQueue::~SqliteQueue() = default;

Result<std::unique_ptr<SqliteQueue>> SqliteQueue::open(const std::string& path,
                                                       const SqliteOptions& options) {
  auto db = sqlite::Db::open(path);
  if (!db.ok()) return db.error();
  if (Status s = configure(*db, options); !s.ok()) return s.error();
  if (Status s = migrate_schema(*db); !s.ok()) {
    return make_error(s.error().reason, path + ": " + s.error().detail);
  }
  auto st = SqliteStatements::prepare(*db);
  if (!st.ok()) return st.error();
  std::string owner = options.owner.empty() ? make_owner_id() : options.owner;
  auto impl = std::make_unique<Impl>(std::move(*db), std::move(*st), std::move(owner));
  return std::unique_ptr<SqliteQueue>(new SqliteQueue(std::move(impl)));
}

std::string SqliteQueue::owner() const {
  std::lock_guard lock(impl_->mu);
  return impl_->owner;
}

void SqliteQueue::set_owner(std::string owner) {
  std::lock_guard lock(impl_->mu);
  impl_->owner = std::move(owner);
}

Result<std::string> SqliteQueue::pragma(std::string_view name) {
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      return make_error(Reason::bad_input, "not a pragma name: " + std::string(name));
    }
  }
  std::lock_guard lock(impl_->mu);
  return impl_->db.query_text("PRAGMA " + std::string(name));
}

Result<EnqueueStats> SqliteQueue::enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) {
  std::lock_guard lock(impl_->mu);
  auto& st = impl_->st;
  EnqueueStats stats;
  sqlite::Txn txn(impl_->db);
  if (Status s = txn.begin_write(); !s.ok()) return s.error();
  std::string host;
  for (const JobInput& job : jobs) {
    if (Status s = check_job(job, &host); !s.ok()) return s.error();
    {
      sqlite::StmtUse q(st.insert);
      q->bind(1, job.id).bind(2, job.url).bind(3, host).bind(4, now_ms);
      if (Status s = q->run(); !s.ok()) return s.error();
    }
    if (impl_->db.changes() == 1) {
      ++stats.inserted;
      continue;
    }
    int64_t seq = 0;
    bool leased = false, back_to_current = false;
    {
      sqlite::StmtUse q(st.find_by_id);
      q->bind(1, job.id);
      auto row = q->step();
      if (!row.ok()) return row.error();
      if (!*row) return make_error(Reason::internal, "enqueue: id vanished: " + job.id);
      // The job's latest URL: the pending one if any (queue.h).
      if ((q->is_null(3) ? q->text(1) : q->text(3)) == job.url) {
        ++stats.unchanged;
        continue;
      }
      seq = q->int64(0);
      leased = static_cast<JobState>(q->int64(2)) == JobState::leased;
      back_to_current = q->text(1) == job.url;
    }
    ++stats.requeued;
    if (leased) {
      // The lease and its attempt go on; the new URL waits for the attempt to end.
      sqlite::StmtUse q(st.set_pending);
      q->bind(1, seq);
      if (back_to_current) {
        q->bind_null(2).bind_null(3);
      } else {
        q->bind(2, job.url).bind(3, host);
      }
      if (Status s = q->run(); !s.ok()) return s.error();
      continue;
    }
    sqlite::StmtUse q(st.requeue);
    q->bind(1, seq).bind(2, job.url).bind(3, host).bind(4, now_ms);
    if (Status s = q->run(); !s.ok()) return s.error();
  }
  if (Status s = txn.commit(); !s.ok()) return s.error();
  return stats;
}

Result<uint64_t> SqliteQueue::reclaim(int64_t now_ms, bool all_leases) {
  std::lock_guard lock(impl_->mu);
  auto& st = impl_->st;
  sqlite::Txn txn(impl_->db);
  if (Status s = txn.begin_write(); !s.ok()) return s.error();
  uint64_t n = 0;
  // Jobs with a pending URL take it (queue.h); the others keep theirs.
  for (sqlite::Stmt* stmt : {all_leases ? &st.reclaim_all : &st.reclaim_expired,
                             all_leases ? &st.reclaim_all_pending : &st.reclaim_expired_pending}) {
    sqlite::StmtUse q(*stmt);
    q->bind(1, now_ms);
    if (Status s = q->run(); !s.ok()) return s.error();
    n += static_cast<uint64_t>(impl_->db.changes());
  }
  if (Status s = txn.commit(); !s.ok()) return s.error();
  return n;
}

}  // namespace sluice
