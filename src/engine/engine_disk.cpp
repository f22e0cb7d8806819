// Local fault episodes (disk_pause.h): a full or read-only disk, a permission lost, an I/O
// error on the spool or a folder store. Fetching pauses, nothing is charged or buried,
// the spool is probed with backoff, and the run stops after --disk-wait.
#include <algorithm>
#include <string>

#include "engine/engine.h"

namespace sluice {
namespace {

std::string seconds(int64_t ms) {
  const int64_t tenths = (ms + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

}  // namespace

void Engine::local_fault(const Error& e) {
  if (disk_.fault(e, clock_.steady_ms())) {
    log_.warn("local disk fault, fetching paused: " + e.to_string() +
              ". No attempt is charged and nothing is dead-lettered; transfers under way "
              "finish; sluice retries until the disk can be written again, for at most " +
              seconds(disk_.wait_ms()) + " (--disk-wait)");
    return;
  }
  log_.debug("local disk fault goes on: " + e.to_string());
}

// The transfer met a local fault: the job waits, uncharged, at the front of its line.
void Engine::defer_for_disk(Active& a, const Error& e) {
  local_fault(e);
  ++counters_.disk_deferred;
  log_.debug("deferred (local disk fault): " + a.job.id);
  hold_job(std::move(a.job));
}

// A put that met a local fault is tried again with the next probe, not before (steady clock,
// like every store retry).
int64_t Engine::store_retry_for_disk() const {
  const int64_t steady = clock_.steady_ms();
  return steady + std::max(opt_.disk_probe_base_ms, disk_.next_probe_ms() - steady);
}

void Engine::probe_disk() {
  const int64_t t = clock_.steady_ms();
  if (!disk_.probe_due(t)) return;
  Status s = store_.probe_spool();
  if (s.ok()) {
    disk_.probe_passed();
    log_.debug("spool " + store_.spool_dir().string() + " writable again: trying one transfer");
    return;
  }
  disk_.probe_failed(s.error(), t);
  log_.debug("spool probe failed: " + s.error().to_string());
}

void Engine::check_disk_wait() {
  if (stopping_ || fatal_.reason != Reason::ok || !disk_.expired(clock_.steady_ms())) return;
  const Error& cause = disk_.last_cause();
  fatal_ = make_error(cause.reason, cause.detail + " (still failing after " +
                                        seconds(clock_.steady_ms() - disk_.since_ms()) +
                                        ", --disk-wait " + seconds(disk_.wait_ms()) + ")");
  log_.error(
      "the local disk fault did not clear within " + seconds(disk_.wait_ms()) +
      " (--disk-wait), stopping; unfinished jobs go back to the queue: " + cause.to_string());
}

// A body or an object was written. It ends the episode once the probe passed and no put
// still waits for the disk.
void Engine::disk_written() {
  if (disk_.clear()) return;
  for (const auto& [tag, a] : storing_) {
    if (a.local_fault) return;
  }
  if (disk_.written(clock_.steady_ms())) {
    log_.info("disk writable again, resuming after " + seconds(disk_.episode_ms()) + " (" +
              disk_.first_cause().code() + ")");
  }
}

// Puts that met a local fault are being retried: no transfer starts until they pass.
bool Engine::disk_blocks_fetching() const {
  if (disk_.clear()) return false;
  return std::any_of(storing_.begin(), storing_.end(),
                     [](const auto& entry) { return entry.second.local_fault; });
}

size_t Engine::fetch_budget() const {
  return disk_blocks_fetching() ? 0 : disk_.fetch_budget(fetching_.size());
}

}  // namespace sluice
