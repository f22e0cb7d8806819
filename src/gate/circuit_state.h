// The state of a host's circuit breaker (circuit.h), as the gate reports it: to the engine
// (HostHealth, gate.h) and to whoever reads the gate's statistics (HostGateState,
// gate_stats.h).
#pragma once

#include <string_view>

namespace sluice {

// closed: normal. open: the host failed alike for a while; nothing is admitted until the
// probe time. half_open: the probe time has come; exactly one request (the probe) is or will
// be admitted, and its outcome closes or re-opens.
enum class CircuitState { closed, open, half_open };

constexpr std::string_view circuit_name(CircuitState c) {
  return c == CircuitState::closed ? "closed" : c == CircuitState::open ? "open" : "half_open";
}

}  // namespace sluice
