// What the engine tells observers about its work as it happens: requests started and
// finished, retries, dead letters, bytes stored. The statistics and events of a run,
// behind their own small interface, so the engine knows nothing of who listens (the
// `serve` metrics, a Redis fleet's counters, a test's recorder).
//
// Threads: the engine calls every method on its own loop thread, and only while run() is
// running. An implementation that other threads read (an HTTP server) publishes
// snapshots under its own lock; the engine's own state is never shared.
// Calls must be cheap and must not block: they sit on the event loop's hot path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

class RunStats {
 public:
  virtual ~RunStats() = default;

  // A request to host_key was admitted by the gate and started.
  virtual void fetch_started(const std::string& host_key) = 0;
  // It ended: outcome is "ok" or the failure's reason code ("http_404", "timeout", ...);
  // seconds is the transfer's total time, bytes the body's size as received.
  virtual void fetch_finished(const std::string& host_key, std::string_view outcome, double seconds,
                              uint64_t bytes) = 0;
  // A failed attempt was scheduled again (charged), for reason.
  virtual void job_retried(const std::string& host_key, std::string_view reason) = 0;
  // A job was dead-lettered, for reason.
  virtual void job_dead(const std::string& host_key, std::string_view reason) = 0;
  // A job's object was stored and its completion queued for commit.
  virtual void job_stored(const std::string& host_key, uint64_t bytes) = 0;
};

// Listens to nothing: the engine's default.
class NoRunStats final : public RunStats {
 public:
  void fetch_started(const std::string&) override {}
  void fetch_finished(const std::string&, std::string_view, double, uint64_t) override {}
  void job_retried(const std::string&, std::string_view) override {}
  void job_dead(const std::string&, std::string_view) override {}
  void job_stored(const std::string&, uint64_t) override {}
};

}  // namespace sluice
