// The parts that make `sluice run` one worker among many on a Redis queue (README, "Many
// machines"): the global gate (RedisGate, on a Redis connection of its own) and the keeper
// of the worker's job leases (LeaseKeeper, a Queue over the RedisQueue). Everything else of
// a run is the same as on a SQLite queue file.
#pragma once

#include <memory>
#include <string>

#include "gate/host_limits.h"
#include "gate/redis_gate.h"
#include "queue/lease_keeper.h"
#include "queue/queue.h"
#include "util/clock.h"
#include "util/logger.h"

namespace sluice {

struct RedisWorker {
  // Destroy the gate after the fetcher (its slots cover the fetcher's open connections)
  // and the keeper before the queue.
  std::unique_ptr<RedisGate> gate;
  std::unique_ptr<LeaseKeeper> keeper;
};

// spec: the redis:// --queue; queue: the RedisQueue open_queue made of it. Slot and job
// leases lapse lease_ttl_ms after their last renewal; a lapsed slot lease stays held for
// abandon_hold_ms. clock and log outlive the result.
Result<RedisWorker> make_redis_worker(const std::string& spec, Queue& queue,
                                      const HostLimits& limits, int64_t lease_ttl_ms,
                                      int64_t abandon_hold_ms, const Clock& clock, Logger& log);

}  // namespace sluice
