#include "worker/worker_life.h"

#include <string>

namespace sluice {

Status reclaim_at_start(Queue& queue, bool all_leases, const Clock& clock, Logger& log) {
  auto reclaimed = queue.reclaim(clock.now_ms(), all_leases);
  if (!reclaimed.ok()) return reclaimed.error();
  if (*reclaimed > 0) {
    log.info("reclaimed " + std::to_string(*reclaimed) + " jobs leased by an earlier run");
  }
  return Status();
}

}  // namespace sluice
