// The SQL text of the SQLite queue: schema and every statement, in one place so the
// indexes and the queries that rely on them are read together (and tests can EXPLAIN
// them). States are stored as integers: 0 queued, 1 leased, 2 done, 3 dead (JobState).
// Conditions on state are literals, not parameters, so SQLite can use the partial indexes.
#pragma once

namespace sluice::sql {

// Schema version 1, then the migrations to the current version, in order. PRAGMA
// user_version records the version.
inline constexpr const char* kSchemaV1 = R"(
CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  host_key TEXT NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before_ms INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_expires_ms INTEGER,
  error_code TEXT,
  error_detail TEXT,
  object_key TEXT,
  sha256 TEXT,
  bytes INTEGER,
  content_type TEXT,
  etag TEXT,
  last_modified TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
-- lease: ready jobs in (not_before, seq) order. host_key and state make it covering, so
-- skipping hosts and MIN(not_before_ms) never touch the table.
CREATE INDEX jobs_ready ON jobs(not_before_ms, seq, host_key, state) WHERE state = 0;
-- stats per host (index-only), and lease per host when the head of the line is skipped.
CREATE INDEX jobs_host ON jobs(host_key, state, not_before_ms, seq);
-- reclaim of expired leases.
CREATE INDEX jobs_leased ON jobs(lease_expires_ms) WHERE state = 1;
-- dead letters by reason (dlq list / replay).
CREATE INDEX jobs_dead ON jobs(error_code) WHERE state = 3;
)";

// Schema version 2: a new URL enqueued for a leased job waits in pending_url (and its host
// in pending_host_key) until the current attempt ends (queue.h). NULL: none pending.
inline constexpr const char* kMigrateV1ToV2 = R"(
ALTER TABLE jobs ADD COLUMN pending_url TEXT;
ALTER TABLE jobs ADD COLUMN pending_host_key TEXT;
)";

// enqueue
inline constexpr const char* kInsert =
    "INSERT INTO jobs(id, url, host_key, state, attempts, not_before_ms, created_ms, updated_ms)"
    " VALUES(?1, ?2, ?3, 0, 0, ?4, ?4, ?4) ON CONFLICT(id) DO NOTHING";
inline constexpr const char* kFindById =
    "SELECT seq, url, state, pending_url FROM jobs WHERE id = ?1";
inline constexpr const char* kRequeue =
    "UPDATE jobs SET url = ?2, host_key = ?3, state = 0, attempts = 0, not_before_ms = ?4,"
    " lease_owner = NULL, lease_expires_ms = NULL, error_code = NULL, error_detail = NULL,"
    " object_key = NULL, sha256 = NULL, bytes = NULL, content_type = NULL, etag = NULL,"
    " last_modified = NULL, pending_url = NULL, pending_host_key = NULL, updated_ms = ?4"
    " WHERE seq = ?1";
// A new URL for a leased job (?2 url, ?3 host; both NULL: drop the pending one).
inline constexpr const char* kSetPending =
    "UPDATE jobs SET pending_url = ?2, pending_host_key = ?3 WHERE seq = ?1 AND state = 1";

// lease
inline constexpr const char* kReady =
    "SELECT seq, not_before_ms, host_key FROM jobs INDEXED BY jobs_ready"
    " WHERE state = 0 AND not_before_ms <= ?1 ORDER BY not_before_ms, seq";
inline constexpr const char* kNextHost =
    "SELECT host_key FROM jobs INDEXED BY jobs_host WHERE host_key > ?1"
    " ORDER BY host_key LIMIT 1";
inline constexpr const char* kReadyForHost =
    "SELECT seq, not_before_ms FROM jobs INDEXED BY jobs_host"
    " WHERE host_key = ?1 AND state = 0 AND not_before_ms <= ?2"
    " ORDER BY not_before_ms, seq LIMIT ?3";
// No RETURNING: SQLite runs a RETURNING clause as a trigger, and a statement with a
// trigger keeps a statement journal (a copy of every page it touches, taken and dropped
// per statement): that alone cost a leased job more than the rest of its lease.
inline constexpr const char* kTake =
    "UPDATE jobs SET state = 1, lease_owner = ?2, lease_expires_ms = ?3, updated_ms = ?4"
    " WHERE seq = ?1 AND state = 0";
inline constexpr const char* kTaken = "SELECT id, url, host_key, attempts FROM jobs WHERE seq = ?1";

// apply: ?1 seq, ?2 owner, ?3 now, then per kind. Each applies only to a job this owner
// leases with no pending URL; kTakePending handles one with a pending URL.
inline constexpr const char* kComplete =  // ?4 key ?5 sha256 ?6 bytes ?7 type ?8 etag ?9 lm
    "UPDATE jobs SET state = 2, attempts = attempts + 1, object_key = ?4, sha256 = ?5,"
    " bytes = ?6, content_type = ?7, etag = ?8, last_modified = ?9, error_code = NULL,"
    " error_detail = NULL, lease_owner = NULL, lease_expires_ms = NULL, updated_ms = ?3"
    " WHERE seq = ?1 AND state = 1 AND lease_owner = ?2 AND pending_url IS NULL";
inline constexpr const char* kRetry =  // ?4 not_before ?5 code ?6 detail
    "UPDATE jobs SET state = 0, attempts = attempts + 1, not_before_ms = ?4, error_code = ?5,"
    " error_detail = ?6, lease_owner = NULL, lease_expires_ms = NULL, updated_ms = ?3"
    " WHERE seq = ?1 AND state = 1 AND lease_owner = ?2 AND pending_url IS NULL";
inline constexpr const char* kBury =  // ?5 code ?6 detail
    "UPDATE jobs SET state = 3, attempts = attempts + 1, error_code = ?5, error_detail = ?6,"
    " lease_owner = NULL, lease_expires_ms = NULL, updated_ms = ?3"
    " WHERE seq = ?1 AND state = 1 AND lease_owner = ?2 AND pending_url IS NULL";
inline constexpr const char* kRelease =
    "UPDATE jobs SET state = 0, lease_owner = NULL, lease_expires_ms = NULL, updated_ms = ?3"
    " WHERE seq = ?1 AND state = 1 AND lease_owner = ?2 AND pending_url IS NULL";
inline constexpr const char* kDefer =  // ?4 not_before ?5 code ?6 detail
    "UPDATE jobs SET state = 0, not_before_ms = ?4, error_code = ?5, error_detail = ?6,"
    " lease_owner = NULL, lease_expires_ms = NULL, updated_ms = ?3"
    " WHERE seq = ?1 AND state = 1 AND lease_owner = ?2 AND pending_url IS NULL";
// The pending URL becomes the job's: back to queued, ready now, as kRequeue does.
#define SLUICE_TAKE_PENDING(now)                                                          \
  "url = pending_url, host_key = pending_host_key, pending_url = NULL,"                   \
  " pending_host_key = NULL, state = 0, attempts = 0, not_before_ms = " now               \
  ","                                                                                     \
  " lease_owner = NULL, lease_expires_ms = NULL, error_code = NULL, error_detail = NULL," \
  " object_key = NULL, sha256 = NULL, bytes = NULL, content_type = NULL, etag = NULL,"    \
  " last_modified = NULL, updated_ms = " now
inline constexpr const char* kTakePending = "UPDATE jobs SET " SLUICE_TAKE_PENDING(
    "?3") " WHERE seq = ?1 AND state = 1 AND lease_owner = ?2 AND pending_url IS NOT NULL";
// Why a transition was not applied: the job's state and lease owner.
inline constexpr const char* kLeaseOf = "SELECT state, lease_owner FROM jobs WHERE seq = ?1";

// reclaim: jobs without a pending URL keep their not_before; the others take it.
inline constexpr const char* kReclaimExpired =
    "UPDATE jobs SET state = 0, lease_owner = NULL, lease_expires_ms = NULL, updated_ms = ?1"
    " WHERE state = 1 AND lease_expires_ms <= ?1 AND pending_url IS NULL";
inline constexpr const char* kReclaimAll =
    "UPDATE jobs SET state = 0, lease_owner = NULL, lease_expires_ms = NULL, updated_ms = ?1"
    " WHERE state = 1 AND pending_url IS NULL";
inline constexpr const char* kReclaimExpiredPending = "UPDATE jobs SET " SLUICE_TAKE_PENDING(
    "?1") " WHERE state = 1 AND lease_expires_ms <= ?1 AND pending_url IS NOT NULL";
inline constexpr const char* kReclaimAllPending =
    "UPDATE jobs SET " SLUICE_TAKE_PENDING("?1") " WHERE state = 1 AND pending_url IS NOT NULL";
#undef SLUICE_TAKE_PENDING

// The columns of a JobRecord (read_record), for scan and the dead-letter reads.
#define SLUICE_RECORD_COLUMNS                                                               \
  "seq, id, url, host_key, state, attempts, object_key, sha256, bytes, content_type, etag," \
  " last_modified, error_code, error_detail, updated_ms, pending_url"

// The dead-letter queue (replay, scan_dead; dead_filter.h). Dead jobs are walked through
// jobs_dead one error code at a time: the codes by seeking to the next one (?1), the jobs
// of a code in seq order. The host filter (?3 exact, or ?4 <= host_key < ?5; ?3 = '' for any
// host) is checked on those rows; a filter by id looks the id up instead.
inline constexpr const char* kDeadFirstReason =
    "SELECT error_code FROM jobs INDEXED BY jobs_dead WHERE state = 3 AND error_code >= ?1"
    " ORDER BY error_code LIMIT 1";
inline constexpr const char* kDeadNextReason =
    "SELECT error_code FROM jobs INDEXED BY jobs_dead WHERE state = 3 AND error_code > ?1"
    " ORDER BY error_code LIMIT 1";
inline constexpr const char* kDeadPage =  // ?2 after seq, ?6 page size
    "SELECT " SLUICE_RECORD_COLUMNS
    " FROM jobs INDEXED BY jobs_dead WHERE state = 3 AND error_code = ?1 AND seq > ?2"
    " AND (?3 = '' OR host_key = ?3 OR (host_key >= ?4 AND host_key < ?5))"
    " ORDER BY seq LIMIT ?6";
inline constexpr const char* kDeadById =
    "SELECT " SLUICE_RECORD_COLUMNS " FROM jobs WHERE id = ?1 AND state = 3";
inline constexpr const char* kReplayReason =  // ?6 now
    "UPDATE jobs INDEXED BY jobs_dead SET state = 0, attempts = 0, not_before_ms = ?6,"
    " error_code = NULL, error_detail = NULL, updated_ms = ?6"
    " WHERE state = 3 AND error_code = ?1"
    " AND (?3 = '' OR host_key = ?3 OR (host_key >= ?4 AND host_key < ?5))";
inline constexpr const char* kReplaySeq =  // ?1 seq, ?2 now
    "UPDATE jobs SET state = 0, attempts = 0, not_before_ms = ?2, error_code = NULL,"
    " error_detail = NULL, updated_ms = ?2 WHERE seq = ?1 AND state = 3";

// stats, next_ready, scan
inline constexpr const char* kCountByHost =
    "SELECT host_key, state, COUNT(*) FROM jobs INDEXED BY jobs_host GROUP BY host_key, state";
inline constexpr const char* kDeadByReason =
    "SELECT IFNULL(error_code, ''), COUNT(*) FROM jobs WHERE state = 3 GROUP BY error_code";
inline constexpr const char* kNextReady = "SELECT MIN(not_before_ms) FROM jobs WHERE state = 0";
inline constexpr const char* kScanPage =
    "SELECT " SLUICE_RECORD_COLUMNS " FROM jobs WHERE seq > ?1 ORDER BY seq LIMIT ?2";

#undef SLUICE_RECORD_COLUMNS

}  // namespace sluice::sql
