// The RunStats the engine feeds in `sluice serve`: counters of a run, readable from the
// HTTP threads. The engine's thread writes through the RunStats methods; any thread reads
// copies (counters(), take_peaks()). One mutex guards everything; each call holds it for
// a few map updates, so the event loop never waits long.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "engine/run_stats.h"
#include "server/histogram.h"

namespace sluice {

struct HostRunCounters {
  std::map<std::string, uint64_t> outcomes;  // "ok", "http_404", "timeout", ... -> fetches
  Histogram duration;                        // seconds per finished fetch
  uint64_t bytes_fetched = 0;                // bodies received, stored or not
  uint64_t bytes_stored = 0;
  uint64_t stored = 0;  // objects stored
  int in_flight = 0;    // started and not finished
};

struct RunCounters {
  std::map<std::string, HostRunCounters> hosts;
  std::map<std::string, uint64_t> retries;  // reason -> charged retries
  std::map<std::string, uint64_t> dead;     // reason -> jobs dead-lettered by this run
  uint64_t stored = 0, dead_total = 0, retried = 0, bytes_stored = 0;
};

class RunMetrics final : public RunStats {
 public:
  void fetch_started(const std::string& host_key) override;
  void fetch_finished(const std::string& host_key, std::string_view outcome, double seconds,
                      uint64_t bytes) override;
  void job_retried(const std::string& host_key, std::string_view reason) override;
  void job_dead(const std::string& host_key, std::string_view reason) override;
  void job_stored(const std::string& host_key, uint64_t bytes) override;

  // A copy of every counter; any thread.
  RunCounters counters() const;
  // Per host, the most requests in flight at any instant since the previous call (at
  // least as many as are in flight now), so a sampler misses no peak between its
  // samples. Any thread; one sampler should call it.
  std::map<std::string, int> take_peaks();

 private:
  mutable std::mutex mu_;
  RunCounters c_;                     // GUARDED_BY(mu_)
  std::map<std::string, int> peaks_;  // GUARDED_BY(mu_)
};

}  // namespace sluice
