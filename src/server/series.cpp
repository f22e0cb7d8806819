#include "server/series.h"

namespace sluice {

void Series::add(SeriesPoint p) {
  std::lock_guard lock(mu_);
  points_.push_back(std::move(p));
  while (points_.size() > capacity_) points_.pop_front();
}

std::vector<SeriesPoint> Series::since(int64_t after_ms, size_t max_points) const {
  std::lock_guard lock(mu_);
  std::vector<SeriesPoint> out;
  size_t first = points_.size();
  while (first > 0 && points_[first - 1].t_ms > after_ms && points_.size() - first < max_points) {
    --first;
  }
  out.assign(points_.begin() + static_cast<std::ptrdiff_t>(first), points_.end());
  return out;
}

Rates Series::rates(int64_t window_ms) const {
  std::lock_guard lock(mu_);
  Rates r;
  if (points_.size() < 2) return r;
  const SeriesPoint& last = points_.back();
  const SeriesPoint* from = &last;
  for (auto it = points_.rbegin(); it != points_.rend(); ++it) {
    if (last.t_ms - it->t_ms > window_ms) break;
    from = &*it;
  }
  double secs = (last.t_ms - from->t_ms) / 1000.0;
  if (secs <= 0) return r;
  r.window_s = secs;
  r.jobs_per_s = (last.finished - from->finished) / secs;
  r.bytes_per_s = (last.bytes - from->bytes) / secs;
  return r;
}

}  // namespace sluice
