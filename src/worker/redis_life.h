// The life of one worker among many on a Redis queue (README, "Many machines";
// worker_life.h): no lock and no heartbeat file. Its registration is its leases, each
// renewed while it lives and lapsing lease_ttl_ms after the last renewal: job leases kept
// by a LeaseKeeper (the Queue it gives the engine, over the RedisQueue), slot leases by a
// RedisGate (the cap global over every worker, on a Redis connection of its own). A dead
// worker's job leases are reclaimed by any other worker's keeper; its slot leases lapse
// into slots held for --abandon-hold on the server (gate/redis_gate.h).
#pragma once

#include <memory>
#include <string>

#include "gate/host_limits.h"
#include "gate/redis_gate.h"
#include "queue/lease_keeper.h"
#include "queue/queue.h"
#include "util/clock.h"
#include "util/logger.h"
#include "worker/worker_life.h"

namespace sluice {

class RedisLife final : public WorkerLife {
 public:
  // spec: the redis:// --queue; queue: the RedisQueue open_queue made of it, owned by the
  // life from now on. Opens the gate's connection (timeouts scaled to the lease TTL, so a
  // stalled Redis cannot stall the engine past its leases' deadlines) and starts the keeper.
  [[nodiscard]] static Result<std::unique_ptr<RedisLife>> start(std::unique_ptr<Queue> queue,
                                                                const std::string& spec,
                                                                const HostLimits& limits,
                                                                const LifeOptions& options,
                                                                const Clock& clock, Logger& log);

  Queue& queue() override { return *keeper_; }  // the keeper: it renews what the engine leases
  Gate& gate() override { return *gate_; }
  GateStats& gate_stats() override { return *gate_; }
  // Only expired leases go back to queued (other workers are alive); the spool is left
  // alone (other workers may share it: their temp files are not leftovers).
  Status begin(Store& store) override;
  // eo.lease_ms = the lease TTL (the keeper renews it); eo.close_idle: idle connections
  // would hoard slots other workers need.
  void configure(EngineOptions& eo) override;
  // None: lapsed slot leases become held slots on the server instead.
  std::function<void(const Heartbeat&)> heartbeat_sink() override { return {}; }

 private:
  RedisLife(std::unique_ptr<Queue> queue, const LifeOptions& options, const Clock& clock,
            Logger& log);

  // Destroyed bottom to top: gate, keeper, queue (worker_life.h, "Teardown").
  std::unique_ptr<Queue> queue_;  // a RedisQueue
  std::unique_ptr<LeaseKeeper> keeper_;
  std::unique_ptr<RedisGate> gate_;
  const LifeOptions options_;
  const Clock& clock_;
  Logger& log_;
};

}  // namespace sluice
