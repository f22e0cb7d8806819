#include "worker/embedded_life.h"

#include "worker/run_record.h"

namespace sluice {

Result<std::unique_ptr<EmbeddedLife>> EmbeddedLife::start(std::unique_ptr<Queue> queue,
                                                          const std::string& db_path,
                                                          const HostLimits& limits,
                                                          const LifeOptions& options,
                                                          const Clock& clock, Logger& log) {
  if (!queue) return make_error(Reason::internal, "internal: an embedded worker without a queue");
  // One run per queue file, whatever name leads to it.
  auto lock = RunLock::acquire(db_path);
  if (!lock.ok()) return lock.error();
  return std::unique_ptr<EmbeddedLife>(
      new EmbeddedLife(std::move(*lock), std::move(queue), limits, options, clock, log));
}

EmbeddedLife::EmbeddedLife(RunLock lock, std::unique_ptr<Queue> queue, const HostLimits& limits,
                           const LifeOptions& options, const Clock& clock, Logger& log)
    : lock_(std::move(lock)),
      queue_(std::move(queue)),
      gate_(limits, CircuitOptions{}, &clock),
      options_(options),
      record_(run_record_path(lock_.path())),
      clock_(clock),
      log_(log) {}

Status EmbeddedLife::begin(Store& store) {
  // We hold the run lock, so every lease in the file belongs to a process that is gone.
  if (Status s = reclaim_at_start(*queue_, /*all_leases=*/true, clock_, log_); !s.ok()) return s;
  return store.clean_spool();
}

void EmbeddedLife::configure(EngineOptions& eo) {
  eo.holds = read_run_record(record_, clock_.now_ms(), eo.heartbeat_interval_ms, eo.abandon_hold_ms,
                             options_.restart_grace_ms, log_);
}

std::function<void(const Heartbeat&)> EmbeddedLife::heartbeat_sink() {
  return [this](const Heartbeat& hb) { write_run_record(record_, hb, log_); };
}

}  // namespace sluice
