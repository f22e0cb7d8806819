// What the engine tells the world: progress, heartbeats (for crash-safe restarts),
// gate events; and the slots held for a crashed run.
#include <algorithm>
#include <system_error>

#include "engine/engine.h"

namespace sluice {

void Engine::log_gate_events() {
  for (const GateEvent& e : gate_.take_events()) {
    bool loud =
        e.kind == GateEvent::Kind::circuit_opened || e.kind == GateEvent::Kind::probe_failed;
    if (loud)
      log_.warn(e.describe());
    else
      log_.info(e.describe());
  }
}

// Slots of host still held for a crashed run's requests (0 once they cannot be running).
int Engine::held(const std::string& host, int64_t now) {
  auto it = opt_.holds.find(host);
  if (it == opt_.holds.end()) return 0;
  if (now >= it->second.until_ms) {
    log_.info("host " + host +
              ": the crashed run's requests are past their deadline; "
              "its slots are free again");
    opt_.holds.erase(it);
    return 0;
  }
  return it->second.slots;
}

// Every host this run used since the last beat counts as busy (at its cap) until the
// next one: a crash between beats is covered by the previous beat's list.
void Engine::beat(int64_t now, bool final, bool force) {
  int64_t t = clock_.steady_ms();
  if (!heartbeat_fn_ || (!force && t - last_beat_ms_ < opt_.heartbeat_interval_ms)) return;
  last_beat_ms_ = t;
  Heartbeat hb;
  hb.at_ms = now;
  hb.request_deadline_ms = opt_.request_deadline_ms;
  if (!final || cancelled_) {  // aborted requests may still be running at the provider
    hb.busy = busy_since_beat_;
    for (const auto& [host, n] : active_per_host_) hb.busy[host] = limits_.cap_for(host);
  }
  // A crashed run's holds are not ours to forget: carry them until they expire.
  for (const auto& [host, hold] : opt_.holds) {
    if (hold.until_ms > now) hb.busy[host] = std::max(hb.busy[host], hold.slots);
  }
  for (const auto& [host, st] : gate_.snapshot()) {
    if (st.circuit == CircuitState::closed) continue;
    hb.circuits[host] = std::string(circuit_name(st.circuit)) + " (" + st.signature +
                        "), next probe in " +
                        std::to_string(std::max<int64_t>(0, st.next_probe_ms - t) / 1000) + " s";
  }
  hb.done = counters_.done;
  hb.dead = counters_.dead;
  hb.in_flight = fetching_.size();
  busy_since_beat_.clear();
  beat_hosts_.clear();
  for (const auto& [host, n] : hb.busy) beat_hosts_.insert(host);
  heartbeat_fn_(hb);
}

void Engine::report(bool force) {
  int64_t t = clock_.steady_ms();
  if (!progress_fn_ || (!force && t - last_report_ms_ < opt_.progress_interval_ms)) return;
  last_report_ms_ = t;
  progress_fn_(progress());
}

}  // namespace sluice
