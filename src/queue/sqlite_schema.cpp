// Schema creation and migration, and the statement cache of SqliteQueue.
#include <cstdlib>

#include "queue/sqlite_queue_impl.h"
#include "queue/sqlite_sql.h"

namespace sluice {

Status migrate_schema(sqlite::Db& db) {
  sqlite::Txn txn(db);
  if (Status s = txn.begin_write(); !s.ok()) return s;
  auto version_text = db.query_text("PRAGMA user_version");
  if (!version_text.ok()) return version_text.error();
  int version = std::atoi(version_text->c_str());
  if (version > SqliteQueue::kSchemaVersion) {
    return make_error(Reason::bad_input,
                      "the queue file was written by a newer sluice (schema version " +
                          std::to_string(version) + "; this one knows up to " +
                          std::to_string(SqliteQueue::kSchemaVersion) + ")");
  }
  if (version == 0) {
    auto tables = db.query_text("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'");
    if (!tables.ok()) return tables.error();
    if (*tables != "0") {
      return make_error(Reason::bad_input,
                        "not a sluice queue file: it holds tables but no sluice schema version");
    }
    if (Status s = db.exec(sql::kSchemaV1); !s.ok()) return s;
    version = 1;
  }
  if (version == 1) {
    if (Status s = db.exec(sql::kMigrateV1ToV2); !s.ok()) return s;
    version = 2;
  }
  // Later schema versions migrate here: if (version == 2) { ALTER ...; version = 3; }
  std::string set = "PRAGMA user_version = " + std::to_string(version);
  if (Status s = db.exec(set.c_str()); !s.ok()) return s;
  return txn.commit();
}

Result<SqliteStatements> SqliteStatements::prepare(sqlite::Db& db) {
  SqliteStatements st;
  const std::pair<sqlite::Stmt*, const char*> all[] = {
      {&st.insert, sql::kInsert},
      {&st.find_by_id, sql::kFindById},
      {&st.requeue, sql::kRequeue},
      {&st.set_pending, sql::kSetPending},
      {&st.ready, sql::kReady},
      {&st.next_host, sql::kNextHost},
      {&st.ready_for_host, sql::kReadyForHost},
      {&st.take, sql::kTake},
      {&st.taken, sql::kTaken},
      {&st.complete, sql::kComplete},
      {&st.retry, sql::kRetry},
      {&st.bury, sql::kBury},
      {&st.release, sql::kRelease},
      {&st.defer, sql::kDefer},
      {&st.take_pending, sql::kTakePending},
      {&st.lease_of, sql::kLeaseOf},
      {&st.reclaim_expired, sql::kReclaimExpired},
      {&st.reclaim_all, sql::kReclaimAll},
      {&st.reclaim_expired_pending, sql::kReclaimExpiredPending},
      {&st.reclaim_all_pending, sql::kReclaimAllPending},
      {&st.dead_first_reason, sql::kDeadFirstReason},
      {&st.dead_next_reason, sql::kDeadNextReason},
      {&st.dead_page, sql::kDeadPage},
      {&st.dead_by_id, sql::kDeadById},
      {&st.replay_reason, sql::kReplayReason},
      {&st.replay_seq, sql::kReplaySeq},
      {&st.count_by_host, sql::kCountByHost},
      {&st.dead_by_reason, sql::kDeadByReason},
      {&st.next_ready, sql::kNextReady},
      {&st.scan_page, sql::kScanPage},
  };
  for (const auto& [stmt, text] : all) {
    auto prepared = db.prepare(text);
    if (!prepared.ok()) return prepared.error();
    *stmt = std::move(*prepared);
  }
  return st;
}

}  // namespace sluice
