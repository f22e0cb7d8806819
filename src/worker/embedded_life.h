// The life of the one worker on a SQLite queue file (worker_life.h): the run lock is its
// registration, so at start every lease in the file is a dead run's and the spool holds
// nothing but leftovers; the heartbeat file <queue>.run (run_record.h) carries the slots a
// crash or cut requests left held over to the next run.
#pragma once

#include <memory>
#include <string>

#include "gate/host_limits.h"
#include "gate/local_gate.h"
#include "queue/queue.h"
#include "queue/run_lock.h"
#include "util/clock.h"
#include "util/logger.h"
#include "worker/worker_life.h"

namespace sluice {

class EmbeddedLife final : public WorkerLife {
 public:
  // Takes the run lock on db_path (the file behind queue, queue/run_lock.h; its refusal,
  // "another sluice run (pid N) holds the queue file ...", is the error) and builds the
  // run's LocalGate over limits. The life owns queue from now on.
  [[nodiscard]] static Result<std::unique_ptr<EmbeddedLife>> start(std::unique_ptr<Queue> queue,
                                                                   const std::string& db_path,
                                                                   const HostLimits& limits,
                                                                   const LifeOptions& options,
                                                                   const Clock& clock, Logger& log);

  Queue& queue() override { return *queue_; }
  Gate& gate() override { return gate_; }
  GateStats& gate_stats() override { return gate_; }
  // Every lease goes back to queued (the lock says their holder is gone); the spool is
  // emptied (no other worker writes to it).
  Status begin(Store& store) override;
  // eo.holds: what the last heartbeat of an earlier run still holds (run_record.h), read
  // with eo.heartbeat_interval_ms and eo.abandon_hold_ms, capped by --restart-grace.
  void configure(EngineOptions& eo) override;
  // Rewrites <queue>.run on each beat (and removes it when nothing is busy or held).
  std::function<void(const Heartbeat&)> heartbeat_sink() override;

  const std::string& record_path() const { return record_; }

 private:
  EmbeddedLife(RunLock lock, std::unique_ptr<Queue> queue, const HostLimits& limits,
               const LifeOptions& options, const Clock& clock, Logger& log);

  // Destroyed bottom to top: gate, queue, then the lock (worker_life.h, "Teardown").
  RunLock lock_;
  std::unique_ptr<Queue> queue_;
  LocalGate gate_;
  const LifeOptions options_;
  const std::string record_;
  const Clock& clock_;
  Logger& log_;
};

}  // namespace sluice
