#include "worker/redis_life.h"

#include <algorithm>

#include "gate/redis_gate.h"
#include "queue/redis_queue.h"

namespace sluice {

Result<std::unique_ptr<RedisLife>> RedisLife::start(std::unique_ptr<Queue> queue,
                                                    const std::string& spec,
                                                    const HostLimits& limits,
                                                    const LifeOptions& options, const Clock& clock,
                                                    Logger& log) {
  // Errors carry their code in the detail, the whole message (worker_life.h).
  auto whole = [](const Error& e) { return make_error(e.reason, e.to_string()); };
  auto* redis = dynamic_cast<RedisQueue*>(queue.get());
  auto address = parse_redis_url(spec);
  if (!address.ok()) return whole(address.error());
  if (!redis) return whole(make_error(Reason::internal, "a redis:// queue that is no RedisQueue"));
  RedisOptions ro;  // a stalled Redis must not stall the loop past the leases' deadlines
  ro.connect_timeout_ms = static_cast<int>(std::max<int64_t>(100, options.lease_ttl_ms / 8));
  ro.command_timeout_ms = ro.connect_timeout_ms;
  ro.backoff_max_ms = static_cast<int>(std::max<int64_t>(100, options.lease_ttl_ms / 4));
  auto conn = RedisConnection::open(*address, ro, clock, &log);
  if (!conn.ok()) return whole(conn.error());
  RedisGateOptions go;
  go.worker = redis->owner();
  go.lease_ttl_ms = options.lease_ttl_ms;
  go.lapse_hold_ms = options.abandon_hold_ms;
  std::unique_ptr<RedisLife> life(new RedisLife(std::move(queue), options, clock, log));
  life->keeper_ = std::make_unique<LeaseKeeper>(*redis, options.lease_ttl_ms, clock, log);
  life->gate_ = std::make_unique<RedisGate>(std::move(*conn), limits, go, clock, &log);
  log.info("worker " + redis->owner() + " on " + address->describe() +
           ": per-host caps shared with every worker on this queue, leases of " +
           std::to_string(options.lease_ttl_ms / 1000) + " s");
  return life;
}

RedisLife::RedisLife(std::unique_ptr<Queue> queue, const LifeOptions& options, const Clock& clock,
                     Logger& log)
    : queue_(std::move(queue)), options_(options), clock_(clock), log_(log) {}

Status RedisLife::begin(Store& store) {
  (void)store;  // shared with other workers: their temp files are not leftovers
  // Other workers are alive: only expired leases are theirs no more.
  return reclaim_at_start(*queue_, /*all_leases=*/false, clock_, log_);
}

void RedisLife::configure(EngineOptions& eo) {
  eo.lease_ms = options_.lease_ttl_ms;  // renewed by the keeper while the worker lives
  eo.close_idle = true;
}

}  // namespace sluice
