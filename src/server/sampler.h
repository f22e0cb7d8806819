// Samples the run into a Series every interval, on its own thread: the gate's statistics
// (open connections, caps; GateStats::snapshot() may be called from any thread) and the
// run's counters and in-flight peaks (RunMetrics locks). Reads nothing else of the engine.
// start() once; stop() (or the destructor) joins the thread. gate, metrics, series and
// clock must outlive the sampler.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "gate/gate_stats.h"
#include "server/run_metrics.h"
#include "server/series.h"
#include "util/clock.h"

namespace sluice {

class Sampler {
 public:
  Sampler(const GateStats& gate, RunMetrics& metrics, Series& series, const Clock& clock,
          int64_t interval_ms = 200);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  void start();
  void stop();        // takes a last sample, then joins; idempotent
  void sample_now();  // one sample on the calling thread (tests; and stop())

 private:
  const GateStats& gate_;
  RunMetrics& metrics_;
  Series& series_;
  const Clock& clock_;
  int64_t interval_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace sluice
