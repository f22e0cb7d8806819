// Settings of one `sluice run`.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/heartbeat.h"
#include "fetch/content_check.h"

namespace sluice {

enum class WindowMode {
  window,  // a freed slot is refilled at once (the default)
  batch,   // the original design: start `cap` jobs, wait for all of them, repeat
};

struct EngineOptions {
  WindowMode mode = WindowMode::window;
  bool follow = false;                   // keep waiting for new jobs when the queue is drained
  int max_attempts = 6;                  // attempts before a transient failure is dead-lettered
  int64_t backoff_base_ms = 1'000;       // full-jitter exponential backoff: random in
  int64_t backoff_cap_ms = 300'000;      //   [0, min(cap, base * 2^attempts))
  int64_t retry_after_cap_ms = 300'000;  // longest Retry-After honoured (--max-retry-after)
  int64_t lease_ms = 600'000;            // lease expiry; longer than any transfer's total timeout
  size_t lease_batch = 256;              // jobs leased per queue call
  size_t per_host_buffer = 64;           // leased-but-not-started jobs kept per host (>= 2 * cap)
  int64_t commit_interval_ms = 50;       // group commit: at most this long between commits
  size_t commit_max = 512;               // ... or this many state changes
  int64_t grace_ms = 30'000;             // on stop: how long in-flight transfers may finish
  size_t max_storing = 256;              // downloads waiting for the store before fetching pauses
  // Bodies up to memory_body_max bytes wait for the store in memory, up to memory_budget
  // bytes in all (engine/memory_budget.h); longer ones, and any beyond the budget, go
  // through a temp file written by the fetcher. 0: every body through a temp file.
  uint64_t memory_body_max = 64 << 10;
  uint64_t memory_budget = 16 << 20;
  int64_t store_retry_base_ms = 500;  // storage failures: backoff while fetching pauses
  int64_t store_retry_cap_ms = 30'000;
  // Local faults (full or read-only disk, permission lost; disk_pause.h): how long the run
  // waits for one to clear before it stops (--disk-wait), and how often it probes.
  int64_t disk_wait_ms = 600'000;
  int64_t disk_probe_base_ms = 250;
  int64_t disk_probe_cap_ms = 5'000;
  int64_t idle_poll_ms = 1'000;  // --follow / waiting for not_before: queue poll interval
  int64_t progress_interval_ms = 1'000;
  uint64_t seed = 0;      // jitter seed; 0: random
  ContentPolicy content;  // --accept, magic-byte check
  int64_t heartbeat_interval_ms = 1'000;
  // --abandon-hold: a request the fetcher cut while the provider may still be serving it
  // (FetchResult::cut_host) keeps a slot of that host held this long (Gate::hold).
  int64_t abandon_hold_ms = 30'000;
  std::map<std::string, SlotHold> holds;  // from an earlier run's last heartbeat: held at start
  // Idle connections hold slots other workers need (RedisGate): a transfer started when
  // fewer jobs of its host are left in hand than transfers to it are running closes its
  // connection when it ends instead of keeping it alive (FetchRequest::close_when_done);
  // and once nothing is left in hand nor running, every idle connection is closed
  // (Fetcher::close_idle_connections), before the gate's maintain() gives their slots back.
  bool close_idle = false;
};

}  // namespace sluice
