// Things the gate wants said out loud (a circuit opened, a host was slowed down). The gate
// queues them and the engine takes them and logs them, so the gate needs no logger.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

struct GateEvent {
  enum class Kind {
    circuit_opened,  // host, signature, failures of window, next_probe_ms
    circuit_closed,  // host, after_ms, effective_cap (where it restarts)
    probe_failed,    // host, signature (the probe's failure), next_probe_ms
    slowed_down,     // host, effective_cap (after the cut), paused_until_ms
  };
  Kind kind = Kind::slowed_down;
  std::string host = {};        // host_key, "host:port"
  int64_t at_ms = 0;            // when it happened (the feedback's now_ms)
  std::string signature = {};   // "http_403", "http_5xx", "network", ...
  int failures = 0;             // circuit_opened: alike failures in the window ...
  int window = 0;               // ... of this many recent outcomes
  int64_t after_ms = 0;         // circuit_closed: since the circuit first opened
  int64_t next_probe_ms = 0;    // circuit_opened, probe_failed: when the next probe may go
  int effective_cap = 0;        // slowed_down, circuit_closed
  int64_t paused_until_ms = 0;  // slowed_down: Retry-After pause end; 0: none

  // One log line, e.g. "circuit opened for a.example:443: 18 of the last 20 requests
  // failed alike (http_403); no requests until a probe in 1.0 s".
  std::string describe() const;
};

std::string_view event_kind_name(GateEvent::Kind k);  // "circuit_opened", ...

}  // namespace sluice
