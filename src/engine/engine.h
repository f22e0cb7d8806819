// The loop that ties the components: lease -> admit -> fetch -> store -> complete, with
// retries, dead-lettering and group commits. The only component that talks to others.
//
// Threads and teardown. One thread runs it: run() and every other member but
// request_stop() belong to that thread. request_stop() may be called from any thread
// while the Engine exists; a caller on another thread (the signal watcher) must be
// stopped before the Engine is destroyed (cmd_run declares its SignalWatcher::Subscription
// after the Engine, so it goes first). While run() runs, the store's threads call back
// into the engine (the notifier wakes the fetcher); run() removes that notifier on every
// way out, errors included, so once it returns nothing calls into the engine but the
// caller, and the Engine, its fetcher and its store may be destroyed in any order.
// Everything passed to the constructor must outlive the Engine; progress and heartbeat
// callbacks run on the engine's thread, inside run(). gate and gate_stats are usually one
// object (LocalGate, RedisGate): admission, and the statistics and events the engine logs
// and writes into heartbeats (held slots).
//
// Clocks. The queue's timestamps (not_before, lease expiry, heartbeats read by another
// process) are on the wall clock, Clock::now_ms; everything the gate times (Retry-After
// pauses, token buckets, circuit probes) and every duration inside the run are on the
// steady clock, Clock::steady_ms, so a step of the wall clock (NTP, an operator) neither
// stalls nor releases a host. A Retry-After HTTP date becomes a delay once, on the wall
// clock, and is then applied on the steady clock.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/backoff.h"
#include "engine/disk_pause.h"
#include "engine/memory_budget.h"
#include "engine/options.h"
#include "engine/retry_after.h"
#include "engine/run_stats.h"
#include "fetch/fetcher.h"
#include "gate/gate.h"
#include "gate/gate_stats.h"
#include "queue/queue.h"
#include "store/file_ext.h"
#include "store/key_template.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/logger.h"
#include "util/sha256.h"
#include "util/url.h"

namespace sluice {

struct EngineProgress {
  uint64_t done = 0;       // completed by this run
  uint64_t dead = 0;       // dead-lettered by this run
  uint64_t retried = 0;    // attempts that failed and were scheduled again
  uint64_t deferred = 0;   // failures while a host's circuit was open: not charged
  uint64_t bytes = 0;      // bytes stored
  uint64_t in_flight = 0;  // transfers running now
  uint64_t storing = 0;    // objects being stored or waiting to retry the store
  uint64_t buffered = 0;   // leased, waiting for a slot
  uint64_t queued_at_start = 0;
  int64_t elapsed_ms = 0;
  bool stopping = false;

  // Local disk faults (disk_pause.h): transfers that met one (not charged), and whether
  // fetching is paused for one now.
  uint64_t disk_deferred = 0;
  bool disk_paused = false;
};

class Engine {
 public:
  Engine(Queue& queue, Gate& gate, GateStats& gate_stats, Fetcher& fetcher, Store& store,
         const KeyTemplate& keys, const HostLimits& limits, const Clock& clock, Logger& log,
         EngineOptions options);

  // Runs until the queue is drained (or, with follow, until stopped). Errors are fatal
  // conditions (the queue failed, the store refuses for good, a local fault lasted
  // disk_wait_ms: its reason, e.g. disk_full, and the path); jobs are never lost.
  //
  // Local faults (util/local_fault.h: the spool or a folder store full, read-only, denied,
  // failing) pause fetching (disk_pause.h): the job goes back to the front of its host's
  // line uncharged, in-flight transfers finish, the spool is probed with backoff, and the
  // run resumes when it can write again. Logged at warn once per episode.
  Status run();

  // Stop leasing, let in-flight work finish within grace_ms, release the rest.
  void request_stop();

  void on_progress(std::function<void(const EngineProgress&)> fn) { progress_fn_ = std::move(fn); }
  // Called every heartbeat_interval_ms, and once at the end with no busy hosts.
  void on_heartbeat(std::function<void(const Heartbeat&)> fn) { heartbeat_fn_ = std::move(fn); }
  EngineProgress progress() const;
  // Statistics and events of the run go to stats (run_stats.h), called on the engine's
  // thread. Set it before run(); stats must outlive run(). nullptr: nobody listens.
  void set_stats(RunStats* stats) { stats_ = stats ? stats : &no_stats_; }

 private:
  struct Active {
    Job job;
    FetchResult fetch;  // filled when the download finished
    std::string key;
    int store_failures = 0;
    int64_t store_retry_at_ms = 0;  // steady clock
    bool local_fault = false;       // its last store attempt met a local fault
    MemoryBudget::Share memory;     // for a body kept in memory (memory_budget.h)
  };

  size_t buffered_count() const;  // jobs leased and waiting for a slot, all hosts
  void refill(int64_t now);
  void start_ready(int64_t now);
  // How many transfers start_ready() may start now: 0 under the store's backpressure,
  // else what local faults allow (fetch_budget).
  size_t start_budget() const;
  // Batch mode: the host's batch still runs, so no transfer to it starts.
  bool batch_busy(const std::string& host) const;
  void on_fetched(FetchResult r, int64_t now);
  void on_stored(const PutResult& r, int64_t now);
  void put(const Active& a);  // stores a's download (storing_[a.fetch.tag])
  void retry_stores();
  void fail(Active& a, const Error& e, int64_t now, int64_t retry_after_ms);
  void hold_job(Job job);
  // engine_disk.cpp: local fault episodes.
  void local_fault(const Error& e);
  void defer_for_disk(Active& a, const Error& e);
  int64_t store_retry_for_disk() const;
  void probe_disk();
  void check_disk_wait();
  void disk_written();
  bool disk_blocks_fetching() const;
  size_t fetch_budget() const;
  void push(Transition t);
  // Status commit: an unreachable queue (queue_unavailable) leaves pending_ for a retry.
  Status commit(int64_t now);
  bool queue_unreachable(const Error& e);  // queue_unavailable: logged once, then waited out
  void begin_stop();
  void release_buffered();
  int64_t next_wake(int64_t now) const;
  bool finished();
  void report(bool force);
  void log_gate_events();
  void beat(int64_t now, bool final, bool force);
  void hold_earlier_runs_slots(int64_t now);
  std::filesystem::path temp_path(uint64_t tag) const;

  Queue& queue_;
  Gate& gate_;
  GateStats& gate_stats_;
  Fetcher& fetcher_;
  Store& store_;
  const KeyTemplate& keys_;
  const HostLimits& limits_;
  const Clock& clock_;
  Logger& log_;
  EngineOptions opt_;
  Backoff backoff_;
  Backoff store_backoff_;
  DiskPause disk_;

  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;
  int64_t stop_deadline_ms_ = 0;
  bool cancelled_ = false;
  Error fatal_;

  // Bodies kept in memory: the store takes them and no key needs their sha256 before the
  // put (the store hashes them). Declared before the maps whose jobs hold shares of it.
  const bool bodies_in_memory_;
  MemoryBudget memory_;
  const std::string temp_prefix_;  // temp_path(): the spool folder and "fetch-<pid>-"
  uint64_t next_tag_ = 1;
  std::map<std::string, std::deque<Job>> buffered_;  // by host, leased, not started
  std::map<std::string, int> active_per_host_;       // fetching now
  std::unordered_map<uint64_t, Active> fetching_;    // tag -> job being downloaded
  std::unordered_map<uint64_t, Active> storing_;     // tag -> job being stored
  std::vector<uint64_t> store_waiting_;              // tags whose store must be retried
  std::vector<Transition> pending_;                  // not yet committed
  int64_t last_commit_ms_ = 0;
  bool queue_away_ = false;  // the queue's server did not answer the last call
  int64_t next_lease_ms_ = 0;
  bool idle_closed_ = true;  // close_idle: nothing was started since the pool was closed (or new)
  std::vector<std::string> short_skip_;  // hosts skipped by the last short lease
  int64_t started_ms_ = 0;
  int64_t last_report_ms_ = 0;
  EngineProgress counters_;
  std::function<void(const EngineProgress&)> progress_fn_;
  std::function<void(const Heartbeat&)> heartbeat_fn_;
  NoRunStats no_stats_;
  RunStats* stats_ = &no_stats_;
  int64_t last_beat_ms_ = 0;
  std::map<std::string, int> busy_since_beat_;  // hosts used since the last heartbeat
  std::set<std::string> beat_hosts_;            // hosts the last heartbeat named
};

}  // namespace sluice
