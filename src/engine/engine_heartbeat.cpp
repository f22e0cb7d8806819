// What the engine tells the world: progress, heartbeats (for crash-safe restarts),
// gate events; and the slots held for a crashed run.
#include <algorithm>
#include <system_error>

#include "engine/engine.h"

namespace sluice {

void Engine::log_gate_events() {
  for (const GateEvent& e : gate_stats_.take_events()) {
    bool loud =
        e.kind == GateEvent::Kind::circuit_opened || e.kind == GateEvent::Kind::probe_failed;
    if (loud)
      log_.warn(e.describe());
    else
      log_.info(e.describe());
  }
}

// Slots an earlier run left held (its crash, or its cut requests) go into the gate as
// holds, so they count against admission and the connection fence until they expire.
void Engine::hold_earlier_runs_slots(int64_t now) {
  for (const auto& [host, hold] : opt_.holds) {
    for (int i = 0; i < hold.slots; ++i) gate_.hold(host, hold.until_ms - now);
  }
}

// Every host this run used since the last beat counts as busy (at its cap) until the
// next one: a crash between beats is covered by the previous beat's list.
void Engine::beat(int64_t now, bool final, bool force) {
  int64_t t = clock_.steady_ms();
  if (!heartbeat_fn_ || (!force && t - last_beat_ms_ < opt_.heartbeat_interval_ms)) return;
  last_beat_ms_ = t;
  Heartbeat hb;
  hb.at_ms = now;
  hb.abandon_hold_ms = opt_.abandon_hold_ms;
  hb.final = final;
  if (!final) {
    hb.busy = busy_since_beat_;
    for (const auto& [host, n] : active_per_host_) hb.busy[host] = limits_.cap_for(host);
  }
  for (const auto& [host, st] : gate_stats_.snapshot()) {
    // Held slots (cut requests, this run's or an earlier run's) outlive this run: the next
    // run holds them on. Requests cut at the end of the grace period are among them.
    if (st.held > 0) hb.holds[host] = SlotHold{st.held, now + st.held_for_ms};
    if (st.holds_taken > 0) hb.holds_taken[host] = st.holds_taken;
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
