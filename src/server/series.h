// A short history of the run, sampled a few times a second, for the dashboard's charts
// and the rates in /api/status: per host, the most requests in flight since the previous
// sample (RunMetrics::take_peaks, so no peak falls between samples), open connections
// and the cap; overall, jobs finished and bytes stored so far. Bounded: the oldest
// points are dropped. Thread-safe: one sampler adds, any thread reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

struct SeriesHost {
  int in_flight = 0;  // the most in flight at any instant since the previous point
  int open = 0;       // open connections (idle keep-alive ones included) at the sample
  int cap = 0;
  int effective_cap = 0;  // after slow-down
};

struct SeriesPoint {
  int64_t t_ms = 0;       // wall clock
  uint64_t finished = 0;  // jobs done or dead by this run so far
  uint64_t bytes = 0;     // bytes stored by this run so far
  std::map<std::string, SeriesHost> hosts;
};

struct Rates {
  double jobs_per_s = 0;   // finished jobs per second over the window
  double bytes_per_s = 0;  // bytes stored per second over the window
  double window_s = 0;     // the span the rates were measured over (0: not enough points)
};

class Series {
 public:
  explicit Series(size_t capacity = 3000) : capacity_(capacity) {}

  void add(SeriesPoint p);
  // Points with t_ms > after_ms, oldest first; at most max_points, the newest ones.
  std::vector<SeriesPoint> since(int64_t after_ms, size_t max_points = 3000) const;
  // Rates between the newest point and the oldest one at most window_ms older.
  Rates rates(int64_t window_ms) const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::deque<SeriesPoint> points_;  // GUARDED_BY(mu_)
};

}  // namespace sluice
