// The durable job queue and manifest. Backends: SQLite (sqlite_queue.h); Redis later;
// MemoryQueue for engine tests. See design.md "Concepts" for the states.
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
  uint64_t unchanged = 0;  // same (id, url) already known: nothing done
  uint64_t requeued = 0;   // known id with a new URL: back to queued, attempts reset
};

// A leased job, owned by the lessee until it is completed, retried, buried or released.
struct Job {
  int64_t seq = 0;  // the queue's own key for the job
  std::string id;
  std::string url;
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

// One state change. Many of these commit in one transaction (group commit).
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

  // Adds jobs in one transaction. Idempotent: the same (id, url) twice is one job; a
  // known id with a new URL is re-queued with its attempts reset (whatever its state).
  virtual Result<EnqueueStats> enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) = 0;

  // Leases up to req.max queued jobs whose not_before has passed, oldest first: in the
  // order they became ready (not_before; a new job's is its enqueue time), then by seq.
  virtual Result<std::vector<Job>> lease(const LeaseRequest& req) = 0;

  // Applies state changes in one transaction; a manifest row and its state change
  // commit together. Transitions for jobs not leased by this queue handle are errors:
  // nothing in the batch is applied and the error detail starts "seq <N> ".
  virtual Status apply(const std::vector<Transition>& batch, int64_t now_ms) = 0;

  // Leased jobs whose lease expired (or, with all_leases, every leased job) go back to
  // queued without charging an attempt. Returns how many.
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
