// The private state of SqliteQueue, shared by its sqlite_*.cpp files.
#pragma once

#include <mutex>
#include <string>

#include "queue/sqlite_db.h"
#include "queue/sqlite_queue.h"
#include "util/thread_annotations.h"

namespace sluice {

// Every statement the queue runs, prepared once at open().
struct SqliteStatements {
  sqlite::Stmt insert, find_by_id, requeue, set_pending;
  sqlite::Stmt ready, next_host, ready_for_host, take, taken;
  sqlite::Stmt complete, retry, bury, release, defer, take_pending, lease_of;
  sqlite::Stmt reclaim_expired, reclaim_all, reclaim_expired_pending, reclaim_all_pending;
  sqlite::Stmt dead_first_reason, dead_next_reason, dead_page, dead_by_id, replay_reason,
      replay_seq;
  sqlite::Stmt count_by_host, dead_by_reason, next_ready, scan_page;

  static Result<SqliteStatements> prepare(sqlite::Db& db);
};

struct SqliteQueue::Impl {
  Impl(sqlite::Db d, SqliteStatements s, std::string o)
      : db(std::move(d)), st(std::move(s)), owner(std::move(o)) {}

  std::mutex mu;  // serialises every use of db and st: every call of the queue takes it
  sqlite::Db db GUARDED_BY(mu);
  SqliteStatements st GUARDED_BY(mu);
  std::string owner GUARDED_BY(mu);
};

// A row of the SLUICE_RECORD_COLUMNS statements (scan, dead-letter reads).
JobRecord read_record(sqlite::Stmt& q);

// Creates the schema in a new file or migrates an older one (PRAGMA user_version).
Status migrate_schema(sqlite::Db& db);

}  // namespace sluice
