// One consistent-enough view of a `serve` process for /metrics, /api/status and the
// dashboard: the queue's counts (its own Queue handle, not the engine's), the gate's
// per-host state, the run's counters and rates. ServerSnapshot is plain data, so the
// renderers (metrics_text.h, status_json.h) are pure functions tested without a server.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "gate/gate_stats.h"
#include "gate/host_limits.h"
#include "queue/queue.h"
#include "server/run_metrics.h"
#include "server/series.h"
#include "util/clock.h"

namespace sluice {

struct ServerSnapshot {
  int64_t at_ms = 0;
  QueueStats queue;                                // every job in the queue file
  std::optional<double> oldest_ready_age_seconds;  // nullopt: no job is ready now
  std::map<std::string, HostGateState> gate;       // hosts the gate has seen this run
  std::map<std::string, int> caps;                 // every host of queue or gate: its cap
  RunCounters run;                                 // this process's run
  Rates rates;                                     // over the last 10 s
  std::optional<double> eta_seconds;  // queued + leased at the current rate; nullopt: no rate
  bool stopping = false;
};

// Builds snapshots. The queue's stats are read at most every cache_ms (they count every
// job, which costs time on a large queue); invalidate() after a change the caller made.
// Thread-safe: HTTP threads call take() concurrently. All references must outlive it.
class SnapshotSource {
 public:
  SnapshotSource(Queue& queue, const GateStats& gate, const HostLimits& limits, RunMetrics& metrics,
                 const Series& series, const Clock& clock, std::function<bool()> stopping,
                 int64_t cache_ms = 250);

  [[nodiscard]] Result<ServerSnapshot> take();
  void invalidate();

 private:
  Queue& queue_;
  const GateStats& gate_;
  const HostLimits& limits_;
  RunMetrics& metrics_;
  const Series& series_;
  const Clock& clock_;
  std::function<bool()> stopping_;
  int64_t cache_ms_;
  std::mutex mu_;
  int64_t cached_at_ = -1;             // GUARDED_BY(mu_): steady ms; -1: nothing cached
  QueueStats stats_;                   // GUARDED_BY(mu_)
  std::optional<int64_t> next_ready_;  // GUARDED_BY(mu_)
};

}  // namespace sluice
