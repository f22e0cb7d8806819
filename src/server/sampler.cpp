#include "server/sampler.h"

#include <chrono>

namespace sluice {

Sampler::Sampler(const GateStats& gate, RunMetrics& metrics, Series& series, const Clock& clock,
                 int64_t interval_ms)
    : gate_(gate), metrics_(metrics), series_(series), clock_(clock), interval_ms_(interval_ms) {}

Sampler::~Sampler() { stop(); }

void Sampler::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      sample_now();
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stop_; });
    }
  });
}

void Sampler::stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    sample_now();
  }
}

void Sampler::sample_now() {
  SeriesPoint p;
  p.t_ms = clock_.now_ms();
  std::map<std::string, int> peaks = metrics_.take_peaks();
  RunCounters c = metrics_.counters();
  p.finished = c.stored + c.dead_total;
  p.bytes = c.bytes_stored;
  for (const auto& [host, g] : gate_.snapshot()) {
    SeriesHost& h = p.hosts[host];
    auto peak = peaks.find(host);
    h.in_flight = peak == peaks.end() ? 0 : peak->second;
    h.open = g.open_connections;
    h.cap = g.cap;
    h.effective_cap = g.effective_cap;
  }
  series_.add(std::move(p));
}

}  // namespace sluice
