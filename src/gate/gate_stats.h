// What a gate tells the world, apart from admission (gate.h): per-host statistics for the
// progress line, the run's summary, the heartbeat file and `serve` (/metrics, the
// dashboard), and the events the engine logs (gate_event.h). Its own small interface, so
// that those readers depend on nothing of admission, and admission nothing of them.
// Implemented by LocalGate and RedisGate beside Gate.
//
// Threads: snapshot() may be called from any thread at any time, concurrently with the
// gate's use by the engine's thread (serve's sampler and HTTP handlers do); it never blocks
// on anything but the gate's own mutex, and never calls out (RedisGate: no Redis call; it
// may wait for the engine's or a fetch loop's thread to finish one, at most the connection's
// command timeout). take_events() has one taker, the engine's thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gate/circuit_state.h"
#include "gate/gate_event.h"

namespace sluice {

// One host as this process's gate sees it. Counts and high-water marks are since the
// gate was made.
struct HostGateState {
  int cap = 0;            // configured hard cap
  int effective_cap = 0;  // after slow-down (AIMD); never above cap
  int in_flight = 0;      // admitted requests not yet released
  int open_connections = 0;
  int max_in_flight = 0;  // high-water marks since start
  int max_open_connections = 0;
  uint64_t refused_sockets = 0;  // fence refusals (should stay 0)
  double rate = 0;               // requests per second allowed; 0: no rate cap
  // As of the latest now_ms the gate was given (snapshot() takes no clock).
  CircuitState circuit = CircuitState::closed;
  std::string signature = {};    // the open circuit's failure signature; "" when closed
  int64_t next_probe_ms = 0;     // open / half_open: when the probe may (or did) go
  uint64_t circuits_opened = 0;  // closed -> open transitions since start
  uint64_t probes_failed = 0;
  uint64_t slow_downs = 0;      // AIMD cuts since start
  int64_t paused_until_ms = 0;  // Retry-After pause end (may be past); 0: never paused
  // Slots held for abandoned requests (Gate::hold), as of the snapshot.
  int held = 0;              // held now
  int64_t held_for_ms = 0;   // until the last of them frees; 0 when none is held
  uint64_t holds_taken = 0;  // holds since start
};

class GateStats {
 public:
  virtual ~GateStats() = default;

  // Every host the gate has admitted or counted anything for, by host_key (questions such as
  // Gate::health do not add one).
  virtual std::map<std::string, HostGateState> snapshot() const = 0;
  // Events since the last call, oldest first (bounded: the oldest are dropped if nobody
  // takes them).
  virtual std::vector<GateEvent> take_events() = 0;
};

}  // namespace sluice
