// Per-host admission: the hard cap on simultaneous connections and requests the provider
// sees, an optional request rate, adaptive slow-down (AIMD) on 429/503 and a circuit
// breaker for a provider that is down or has suspended us. Backends: LocalGate
// (in-process, local_gate.h); RedisGate (global over every worker on a Redis queue, slot
// leases with a TTL, redis_gate.h).
// Answers at once, never blocks: the engine asks before it starts a transfer.
// Time: every now_ms the gate is given, and every time it returns (paused_until_ms,
// next_probe_ms, next_admit_ms, GateEvent times), is on the caller's steady clock
// (Clock::steady_ms), never the wall clock: a step of the wall clock must neither stall a
// host nor release one early. A delay given in wall terms (a Retry-After HTTP date) is
// converted to a duration by the caller first (Feedback::retry_after_ms).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gate/gate_event.h"
#include "gate/host_limits.h"
#include "util/error.h"

namespace sluice {

// A host's circuit breaker. closed: normal. open: the host failed alike for a while;
// nothing is admitted until the probe time. half_open: the probe time has come; exactly
// one request (the probe) is or will be admitted, and its outcome closes or re-opens.
enum class CircuitState { closed, open, half_open };

constexpr std::string_view circuit_name(CircuitState c) {
  return c == CircuitState::closed ? "closed" : c == CircuitState::open ? "open" : "half_open";
}

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

// What a finished request tells the gate about its host. Build it with feedback_for().
struct Feedback {
  ErrorClass cls = ErrorClass::none;
  int http_status = 0;
  int64_t retry_after_ms = 0;  // Retry-After as a delay from now_ms; 0: none given
  // The failure's reason: tells network failures (timeout, connect, reset, dns, ...) apart
  // for the circuit breaker. Reason::ok with cls != none: only http_status is known.
  Reason reason = Reason::ok;
};

// The feedback for a request that ended with e (Reason::ok: success).
inline Feedback feedback_for(const Error& e, int64_t retry_after_ms = 0) {
  return Feedback{classify(e), e.http_status, retry_after_ms, e.reason};
}

// What the engine needs to know about a host to decide how to treat its failures.
struct HostHealth {
  CircuitState circuit = CircuitState::closed;
  std::string signature = {};  // "http_403", "http_5xx", "network", ...; "" when closed
  int64_t next_probe_ms = 0;   // open: when the probe may go; half_open: when it became due
  int effective_cap = 0;
};

class Gate {
 public:
  virtual ~Gate() = default;

  // Takes a request slot for host_key if one is free now: not paused, circuit closed (or
  // this is the half-open probe), in_flight + held < effective cap, and a rate token if the
  // host has a rate. Never blocks.
  virtual bool try_acquire(const std::string& host_key, int64_t now_ms) = 0;
  // Gives back a slot taken by try_acquire. Call it before feedback().
  virtual void release(const std::string& host_key) = 0;

  // Connection accounting (from the fetcher's socket callbacks). opening returns false
  // if one more open connection would exceed the host's cap (held slots count as open
  // connections); the socket must not open.
  virtual bool connection_opening(const std::string& host_key) = 0;
  virtual void connection_closed(const std::string& host_key) = 0;

  // Whether a request may be sent to host_key now, on a connection already counted (the
  // fetcher asks before every request it sends, redirect hops and reused connections
  // included). LocalGate: always. RedisGate: not while the host's slot lease may have
  // lapsed (a worker that stalled past its lease's deadline): it checks before anything
  // is sent.
  virtual bool may_send(const std::string& host_key) {
    (void)host_key;
    return true;
  }

  // Abandoned requests: a request cut while the provider may still be serving it (and
  // counting it, and often its connection) keeps a slot. hold() takes one slot of the host
  // for ttl_ms from now, on the gate's own steady clock: until then it counts like a
  // request in flight for try_acquire and like an open connection for the fence. Holds
  // only expire (a lease with a TTL, never renewed or released early). ttl_ms <= 0 holds
  // nothing. Call it after release() of the request that was cut.
  virtual void hold(const std::string& host_key, int64_t ttl_ms) = 0;

  // Outcome of every admitted request, exactly once, after release(): drives AIMD,
  // Retry-After pauses and the circuit breaker. free_retry, storage and local outcomes say
  // nothing about the host (a local fault is our own disk: AIMD does not see it either).
  virtual void feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) = 0;

  // Earliest time a host that is now paused by Retry-After may admit again (0: not paused).
  virtual int64_t paused_until_ms(const std::string& host_key, int64_t now_ms) const = 0;
  // Earliest time > now_ms at which a time-based hold on the host ends (Retry-After pause,
  // open circuit's probe time, next rate token, a held slot that blocks admission, on the
  // scale of now_ms), so the engine can sleep until then; 0 if
  // nothing time-based holds it now (it may still be full or waiting for a probe's
  // outcome: a release/feedback, not the clock, changes that).
  virtual int64_t next_admit_ms(const std::string& host_key, int64_t now_ms) const = 0;

  // The host's circuit as of now_ms. A host never seen is closed at its configured cap.
  virtual HostHealth health(const std::string& host_key, int64_t now_ms) const = 0;
  // Events since the last call, oldest first (bounded: the oldest are dropped if nobody
  // takes them).
  virtual std::vector<GateEvent> take_events() = 0;

  virtual std::map<std::string, HostGateState> snapshot() const = 0;

  // The engine calls this once per loop turn, before it starts transfers. A gate that
  // holds slots outside this process (RedisGate: slot leases with a TTL) renews them and
  // gives back what is no longer needed here. Returns the hosts whose slots this worker
  // lost (a lease it could not renew in time, or found lapsed): the caller must stop using
  // them at once: cut their transfers (cut requests are held as usual) and close their
  // connections. The gate refuses those hosts until their transfers and connections are
  // gone. LocalGate holds nothing outside: nothing to do, nothing lost.
  virtual std::vector<std::string> maintain(int64_t now_ms) {
    (void)now_ms;
    return {};
  }
};

}  // namespace sluice
