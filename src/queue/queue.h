// The durable job queue and manifest. Backends: SQLite (sqlite_queue.h), Redis
// (redis_queue.h); MemoryQueue for engine tests. See design.md "Concepts" for the states.
//
// The lease contract, which every backend keeps (the randomized differential test in
// tests/unit/queue/random_ops_test.cpp holds MemoryQueue, SqliteQueue and RedisQueue to it):
//  - A lease is held by one queue handle (its owner id) on one job, from lease() until a
//    transition for it is applied, or until reclaim() takes it back. A job is leased by at
//    most one handle at a time.
//  - Nothing but the holder's own transition and reclaim() ends a lease. In particular
//    enqueue() of a known id with a new URL while the job is leased does NOT touch the
//    lease: the new URL waits as the job's pending URL, and when the current attempt ends
//    (its transition is applied, whatever its kind, or the lease is reclaimed) the job
//    goes back to queued with the new URL, ready at once, attempts reset, error and
//    manifest cleared. The attempt's own outcome is then discarded: it was for the old URL.
//  - apply() applies every valid transition of a batch and returns the others one by one
//    (RejectedTransition); one stale row never rejects its batch.
//  - Conservation holds after every call: accepted = queued + leased + done + dead.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace sluice {

enum class JobState { queued, leased, done, dead };
const char* state_name(JobState s);

// One record to copy. id defaults to the URL when the input has no id column.
struct JobInput {
  std::string id;
  std::string url;
  std::string host_key;  // "host:port", from parse_url
};

struct EnqueueStats {
  uint64_t inserted = 0;   // new ids
  uint64_t unchanged = 0;  // same (id, url) already known (or already pending): nothing done
  // Known id with a new URL: back to queued, attempts reset; for a job leased now, when its
  // current attempt ends (the URL waits as pending until then; see Queue::enqueue).
  uint64_t requeued = 0;
};

// A leased job, owned by the lessee until it is completed, retried, buried or released.
struct Job {
  int64_t seq = 0;  // the queue's own key for the job
  std::string id;
  std::string url;  // the URL this attempt fetches
  std::string host_key;
  int attempts = 0;  // attempts already charged before this lease
};

// What the manifest records for a done job.
struct ManifestEntry {
  std::string key;
  std::string sha256;
  uint64_t bytes = 0;
  std::string content_type;
  std::string etag;
  std::string last_modified;
};

// One state change of a leased job, ending its current attempt. Many of these commit in
// one transaction (group commit). If a newer URL is pending for the job (enqueued while it
// was leased), every kind instead sends the job back to queued with that URL (see the
// contract at the top of this file).
struct Transition {
  enum class Kind {
    complete,  // leased -> done, with the manifest entry; charges the attempt
    retry,     // leased -> queued with not_before; charges the attempt, records error
    bury,      // leased -> dead with the error; charges the attempt
    release,   // leased -> queued now, attempt not charged (shutdown, gate refusal)
    defer,     // leased -> queued with not_before, attempt not charged (slow-down, circuit)
  };
  Kind kind = Kind::release;
  int64_t seq = 0;
  ManifestEntry manifest;     // complete
  int64_t not_before_ms = 0;  // retry, defer
  std::string error_code;     // retry, bury, defer: "http_404", "timeout", ...
  std::string error_detail;

  static Transition completed(int64_t seq, ManifestEntry m) {
    return Transition{Kind::complete, seq, std::move(m), 0, {}, {}};
  }
  static Transition retried(int64_t seq, int64_t not_before_ms, const Error& e) {
    return Transition{Kind::retry, seq, {}, not_before_ms, e.code(), e.detail};
  }
  static Transition buried(int64_t seq, const Error& e) {
    return Transition{Kind::bury, seq, {}, 0, e.code(), e.detail};
  }
  static Transition released(int64_t seq) { return Transition{Kind::release, seq, {}, 0, {}, {}}; }
  static Transition deferred(int64_t seq, int64_t not_before_ms, const Error& e) {
    return Transition{Kind::defer, seq, {}, not_before_ms, e.code(), e.detail};
  }
};
const char* kind_name(Transition::Kind k);  // "complete", "retry", ...

// Why apply() refused one transition (the rest of its batch is applied regardless).
enum class StaleReason {
  no_such_job,      // the seq names no job
  twice_in_batch,   // an earlier transition of the same batch named the same seq
  not_leased,       // the job is queued, done or dead: this lease was reclaimed (it expired,
                    // or a run took every lease back at start), and maybe finished since
  leased_by_other,  // leased, but by another handle (reclaimed, then leased again)
};
const char* stale_reason_name(StaleReason r);  // "no_such_job", "twice_in_batch", ...

// One transition apply() did not apply. The job is left exactly as it was.
struct RejectedTransition {
  int64_t seq = 0;
  Transition::Kind kind = Transition::Kind::release;
  StaleReason reason = StaleReason::not_leased;
  // "seq 7 (complete) is not leased by OWNER: it is queued (its lease was reclaimed)",
  // the same text from every backend (make_rejection builds it).
  std::string detail;
};

// holder: the other owner for leased_by_other, else unused.
RejectedTransition make_rejection(const Transition& t, StaleReason reason, JobState state,
                                  const std::string& owner, const std::string& holder);

struct ApplyResult {
  uint64_t applied = 0;                      // transitions applied
  std::vector<RejectedTransition> rejected;  // the others, in batch order
};

// A row of the manifest / export.
struct JobRecord {
  int64_t seq = 0;
  std::string id;
  std::string url;
  std::string host_key;
  JobState state = JobState::queued;
  int attempts = 0;
  ManifestEntry manifest;  // filled when done
  std::string error_code;  // last error, if any
  std::string error_detail;
  int64_t updated_at_ms = 0;
  // Leased jobs only: a newer URL enqueued during the lease, taking effect when the
  // current attempt ends; empty when none.
  std::string pending_url;
};

struct StateCounts {
  uint64_t queued = 0, leased = 0, done = 0, dead = 0;
  uint64_t total() const { return queued + leased + done + dead; }
  uint64_t& of(JobState s);  // the counter for one state
};

struct QueueStats {
  StateCounts all;
  std::map<std::string, StateCounts> by_host;
  std::map<std::string, uint64_t> dead_by_reason;
};

// Which dead jobs a `dlq` command acts on. Every field that is set must match; an empty
// field matches anything.
//  - reason: an error code ("http_404", "timeout"), or a class "http_4xx" / "http_5xx"
//    that matches every http_4NN / http_5NN. An unknown code matches nothing.
//  - host: a host_key ("img.example:443"), or a host without port ("img.example",
//    "[::1]" or "::1") that matches the host on every port.
//  - id: the job's id.
//  - all: replay refuses an empty filter unless all is set, so a forgotten flag cannot
//    replay the whole dead-letter queue. It widens nothing: set fields still filter.
struct DeadFilter {
  std::string reason;
  std::string host;
  std::string id;
  bool all = false;
  bool empty() const { return reason.empty() && host.empty() && id.empty(); }
};

struct LeaseRequest {
  size_t max = 64;
  int64_t now_ms = 0;
  int64_t lease_ms = 300'000;           // lease expiry from now
  std::vector<std::string> skip_hosts;  // hosts whose buffers are full
};

class Queue {
 public:
  virtual ~Queue() = default;

  // Adds jobs in one transaction, all or nothing. Idempotent: the same (id, url) twice is
  // one job. A known id with a new URL (one that differs from the job's latest: its pending
  // URL if it has one, else its URL):
  //  - queued, done or dead: the job goes back to queued with the new URL and host, ready
  //    at now_ms, attempts 0, error and manifest cleared;
  //  - leased: the lease and the current attempt are left alone; the new URL becomes the
  //    job's pending URL (replacing an older pending one). The transition that ends the
  //    attempt, or reclaim(), then re-queues the job with it as above, and the
  //    attempt's own outcome is discarded. Enqueuing the URL being fetched again drops
  //    the pending one: the current attempt serves the latest URL.
  // Both count as requeued.
  virtual Result<EnqueueStats> enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) = 0;

  // Leases up to req.max queued jobs whose not_before has passed, oldest first: in the
  // order they became ready (not_before; a new job's is its enqueue time), then by seq.
  virtual Result<std::vector<Job>> lease(const LeaseRequest& req) = 0;

  // Applies a batch of transitions in one transaction; a manifest row and its state
  // change commit together. Each transition is checked on its own, in batch order: one for
  // a job this handle holds the lease of is applied; any other (no such job, the seq twice
  // in the batch, the lease reclaimed, the job leased by another handle) is skipped and
  // returned in ApplyResult::rejected, leaving that job untouched. A job with a pending
  // URL goes back to queued with it, whatever the transition's kind:
  //  - complete: the manifest row of the old URL's object is NOT recorded; the job shows
  //    queued with the new URL and an empty manifest, exactly as a done job re-enqueued with
  //    a new URL does. The stored object stays in the store until the new URL's object
  //    replaces it (a key template without {sha256}/{url_sha256} gives the same key);
  //  - retry, bury, release, defer: no attempt is charged and the error is not recorded;
  //    the job is ready at now_ms, not at the transition's not_before.
  // An error (the whole call failed: I/O, a full disk) means nothing was applied.
  virtual Result<ApplyResult> apply(const std::vector<Transition>& batch, int64_t now_ms) = 0;

  // Leased jobs whose lease expired (or, with all_leases, every leased job) go back to
  // queued without charging an attempt, keeping their not_before; a job with a pending URL
  // takes it, ready at now_ms, attempts reset, as apply() does. Returns how many.
  virtual Result<uint64_t> reclaim(int64_t now_ms, bool all_leases) = 0;

  // Dead jobs that match filter go back to queued, ready at now_ms, with their attempts
  // reset and their error cleared, in one transaction (`sluice dlq replay`). Returns how
  // many. Only dead jobs are touched and a dead job is never leased, so this is safe while
  // a run leases and applies on the same queue. An empty filter without `all` is a
  // bad_input error.
  virtual Result<uint64_t> replay(const DeadFilter& filter, int64_t now_ms) = 0;

  // Dead jobs that match filter (an empty one: every dead job), by error code and then
  // seq, for `dlq list` and `dlq export`; stops early if fn returns false. Reads only dead
  // jobs (an index), never the whole queue. fn may use the queue.
  virtual Status scan_dead(const DeadFilter& filter,
                           const std::function<bool(const JobRecord&)>& fn) = 0;

  virtual Result<QueueStats> stats() = 0;

  // Earliest not_before of a queued job, if any is queued (for sleeping until work).
  virtual Result<std::optional<int64_t>> next_ready_ms() = 0;

  // Every job, in seq order, for export; stops early if fn returns false.
  virtual Status scan(const std::function<bool(const JobRecord&)>& fn) = 0;
};

}  // namespace sluice
