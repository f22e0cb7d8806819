#include "cli/redis_worker.h"

#include <algorithm>

#include "gate/redis_gate.h"
#include "queue/redis_queue.h"

namespace sluice {

Result<RedisWorker> make_redis_worker(const std::string& spec, Queue& queue,
                                      const HostLimits& limits, int64_t lease_ttl_ms,
                                      int64_t abandon_hold_ms, const Clock& clock, Logger& log) {
  auto* redis = dynamic_cast<RedisQueue*>(&queue);
  auto address = parse_redis_url(spec);
  if (!address.ok()) return address.error();
  if (!redis) return make_error(Reason::internal, "a redis:// queue that is no RedisQueue");
  RedisOptions ro;  // a stalled Redis must not stall the loop past the leases' deadlines
  ro.connect_timeout_ms = static_cast<int>(std::max<int64_t>(100, lease_ttl_ms / 8));
  ro.command_timeout_ms = ro.connect_timeout_ms;
  ro.backoff_max_ms = static_cast<int>(std::max<int64_t>(100, lease_ttl_ms / 4));
  auto conn = RedisConnection::open(*address, ro, clock, &log);
  if (!conn.ok()) return conn.error();
  RedisGateOptions go;
  go.worker = redis->owner();
  go.lease_ttl_ms = lease_ttl_ms;
  go.lapse_hold_ms = abandon_hold_ms;
  RedisWorker w;
  w.gate = std::make_unique<RedisGate>(std::move(*conn), limits, go, clock, &log);
  w.keeper = std::make_unique<LeaseKeeper>(*redis, lease_ttl_ms, clock, log);
  log.info("worker " + redis->owner() + " on " + address->describe() +
           ": per-host caps shared with every worker on this queue, leases of " +
           std::to_string(lease_ttl_ms / 1000) + " s");
  return w;
}

}  // namespace sluice
