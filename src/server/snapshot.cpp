#include "server/snapshot.h"

#include <algorithm>

namespace sluice {

SnapshotSource::SnapshotSource(Queue& queue, const GateStats& gate, const HostLimits& limits,
                               RunMetrics& metrics, const Series& series, const Clock& clock,
                               std::function<bool()> stopping, int64_t cache_ms)
    : queue_(queue),
      gate_(gate),
      limits_(limits),
      metrics_(metrics),
      series_(series),
      clock_(clock),
      stopping_(std::move(stopping)),
      cache_ms_(cache_ms) {}

void SnapshotSource::invalidate() {
  std::lock_guard lock(mu_);
  cached_at_ = -1;
}

Result<ServerSnapshot> SnapshotSource::take() {
  ServerSnapshot s;
  s.at_ms = clock_.now_ms();
  {
    std::lock_guard lock(mu_);
    int64_t t = clock_.steady_ms();
    if (cached_at_ < 0 || t - cached_at_ >= cache_ms_) {
      auto stats = queue_.stats();
      if (!stats.ok()) return stats.error();
      auto next = queue_.next_ready_ms();
      if (!next.ok()) return next.error();
      stats_ = std::move(*stats);
      next_ready_ = *next;
      cached_at_ = t;
    }
    s.queue = stats_;
    if (next_ready_ && *next_ready_ <= s.at_ms) {
      s.oldest_ready_age_seconds = (s.at_ms - *next_ready_) / 1000.0;
    }
  }
  s.gate = gate_.snapshot();
  s.run = metrics_.counters();
  for (const auto& [host, c] : s.queue.by_host) s.caps[host] = limits_.cap_for(host);
  for (const auto& [host, g] : s.gate) s.caps[host] = g.cap;
  s.rates = series_.rates(10'000);
  uint64_t left = s.queue.all.queued + s.queue.all.leased;
  if (left == 0) {
    s.eta_seconds = 0.0;
  } else if (s.rates.jobs_per_s > 0) {
    s.eta_seconds = left / s.rates.jobs_per_s;
  }
  s.stopping = stopping_ && stopping_();
  return s;
}

}  // namespace sluice
