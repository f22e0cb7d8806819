// A Prometheus-style histogram: counts of observations at or below each bound, with
// their sum. Not thread-safe: its owner (RunMetrics) locks.
#pragma once

#include <cstdint>
#include <vector>

namespace sluice {

class Histogram {
 public:
  // bounds: ascending upper bounds; an implicit +Inf bucket follows the last.
  explicit Histogram(std::vector<double> bounds = default_seconds());
  // 5 ms to 120 s: image fetches from a provider at a few to many MiB/s.
  static std::vector<double> default_seconds();

  void observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Observations <= bounds()[i], cumulative as Prometheus wants them (size = bounds).
  std::vector<uint64_t> cumulative() const;
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> buckets_;  // per bucket, not cumulative; size bounds + 1
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace sluice
