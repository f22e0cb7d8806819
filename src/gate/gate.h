// Per-host admission: the hard cap on simultaneous connections and requests the provider
// sees. Backends: LocalGate (in-process, local_gate.h); Redis later (global, lease-based).
// Answers at once, never blocks: the engine asks before it starts a transfer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/error.h"

namespace sluice {

// Caps per host. A rule is "host=N" (any port) or "host:port=N".
class HostLimits {
 public:
  explicit HostLimits(int default_cap = 20) : default_cap_(default_cap) {}
  // Parses "host=N" or "host:port=N"; bad_input on anything else or N < 1.
  Status add_rule(const std::string& spec);
  void set_default(int cap) { default_cap_ = cap; }
  int default_cap() const { return default_cap_; }
  int cap_for(const std::string& host_key) const;  // host_key is "host:port"

 private:
  int default_cap_;
  std::map<std::string, int> exact_;    // "host:port"
  std::map<std::string, int> by_host_;  // "host"
};

struct HostGateState {
  int cap = 0;             // configured hard cap
  int effective_cap = 0;   // after slow-down (AIMD); never above cap
  int in_flight = 0;       // admitted requests not yet released
  int open_connections = 0;
  int max_in_flight = 0;   // high-water marks since start
  int max_open_connections = 0;
  uint64_t refused_sockets = 0;  // fence refusals (should stay 0)
};

// What a finished request tells the gate about its host (hooks for slow-down and the
// circuit breaker).
struct Feedback {
  ErrorClass cls = ErrorClass::none;
  int http_status = 0;
  int64_t retry_after_ms = 0;  // Retry-After as a delay from now_ms; 0: none given
};

class Gate {
 public:
  virtual ~Gate() = default;

  // Takes a request slot for host_key if one is free now. Never blocks.
  virtual bool try_acquire(const std::string& host_key, int64_t now_ms) = 0;
  // Gives back a slot taken by try_acquire.
  virtual void release(const std::string& host_key) = 0;

  // Connection accounting (from the fetcher's socket callbacks). opening returns false
  // if one more open connection would exceed the host's cap; the socket must not open.
  virtual bool connection_opening(const std::string& host_key) = 0;
  virtual void connection_closed(const std::string& host_key) = 0;

  // Outcome of a request, for adaptive slow-down and the circuit breaker.
  virtual void feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) = 0;

  // Earliest time a host that is now paused may admit again (0: not paused).
  virtual int64_t paused_until_ms(const std::string& host_key, int64_t now_ms) const = 0;

  virtual std::map<std::string, HostGateState> snapshot() const = 0;
};

}  // namespace sluice
