#include "server/run_metrics.h"

#include <algorithm>

namespace sluice {

void RunMetrics::fetch_started(const std::string& host_key) {
  std::lock_guard lock(mu_);
  int n = ++c_.hosts[host_key].in_flight;
  int& peak = peaks_[host_key];
  peak = std::max(peak, n);
}

void RunMetrics::fetch_finished(const std::string& host_key, std::string_view outcome,
                                double seconds, uint64_t bytes) {
  std::lock_guard lock(mu_);
  HostRunCounters& h = c_.hosts[host_key];
  --h.in_flight;
  ++h.outcomes[std::string(outcome)];
  h.duration.observe(seconds);
  h.bytes_fetched += bytes;
}

void RunMetrics::job_retried(const std::string&, std::string_view reason) {
  std::lock_guard lock(mu_);
  ++c_.retries[std::string(reason)];
  ++c_.retried;
}

void RunMetrics::job_dead(const std::string&, std::string_view reason) {
  std::lock_guard lock(mu_);
  ++c_.dead[std::string(reason)];
  ++c_.dead_total;
}

void RunMetrics::job_stored(const std::string& host_key, uint64_t bytes) {
  std::lock_guard lock(mu_);
  HostRunCounters& h = c_.hosts[host_key];
  ++h.stored;
  h.bytes_stored += bytes;
  ++c_.stored;
  c_.bytes_stored += bytes;
}

RunCounters RunMetrics::counters() const {
  std::lock_guard lock(mu_);
  return c_;
}

std::map<std::string, int> RunMetrics::take_peaks() {
  std::lock_guard lock(mu_);
  std::map<std::string, int> out;
  out.swap(peaks_);
  // The next window starts at what is in flight now.
  for (const auto& [host, h] : c_.hosts) {
    if (h.in_flight > 0) peaks_[host] = h.in_flight;
    out[host] = std::max(out[host], h.in_flight);
  }
  return out;
}

}  // namespace sluice
