// Per-host admission: the hard cap on simultaneous connections and requests the provider
// sees, an optional request rate, adaptive slow-down (AIMD) on 429/503 and a circuit
// breaker for a provider that is down or has suspended us. Backends: LocalGate
// (in-process, local_gate.h); RedisGate (global over every worker on a Redis queue,
// redis_gate.h). Statistics and events are not admission: they have their own interface
// (gate_stats.h), which both backends implement too.
//
// The contract is that of a distributed gate, of which the in-process one is the case with
// nothing outside. A host has `cap` slots. A slot covers one request in flight or one open
// connection (idle keep-alive ones included), whichever this process has more of:
//  - take: try_acquire (a request), connection_opening (a socket). Either may have to ask
//    elsewhere for a slot (RedisGate: Redis); a refusal or an error is "no", never a wait.
//  - keep: a slot taken outside this process is a lease with a TTL; maintain() renews it.
//    A lease that could not be renewed in time is lost: maintain() says which hosts, and
//    their transfers and connections must go at once. may_send() is the check before
//    every request sent, so that a process that stalled past its lease sends nothing on it.
//  - give back: release (the request ended), connection_closed (the socket closed). The
//    slot is free for others once both its request and its connection are gone
//    (RedisGate: and the close has had time to reach the provider, close_grace_ms).
//  - hold: a request cut while the provider may still be serving it keeps a slot for a
//    TTL that only expires (hold()); a lease that lapses becomes such a hold as well.
//
// Answers at once, never waits for a slot: the engine asks before it starts a transfer,
// and next_admit_ms() tells it when asking again is worth it.
// Time: every now_ms the gate is given, and every time it returns (paused_until_ms,
// next_probe_ms, next_admit_ms), is on the caller's steady clock (Clock::steady_ms), never
// the wall clock: a step of the wall clock must neither stall a host nor release one early.
// A delay given in wall terms (a Retry-After HTTP date) is converted to a duration by the
// caller first (Feedback::retry_after_ms).
// Threads: the engine's thread makes every call but the fetcher's socket callbacks
// (connection_opening, connection_closed, may_send), which run on whichever thread drives
// that fetch loop: the engine's, or a loop of its own (fetch/parallel_fetcher.h,
// --fetch-threads). Every backend must therefore take those calls from several threads at
// once, and both do (each call locks); statistics may be read from other threads
// (gate_stats.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gate/circuit_state.h"
#include "gate/host_limits.h"
#include "util/error.h"

namespace sluice {

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

  // --- Taking a slot. Neither blocks; either may make one call outside (RedisGate: one
  // Redis round trip, refused on error).

  // Takes a request slot for host_key if one is free now: not paused, circuit closed (or
  // this is the half-open probe), in_flight + held < effective cap, a rate token if the
  // host has a rate, and (RedisGate) a slot lease granted within the global cap.
  virtual bool try_acquire(const std::string& host_key, int64_t now_ms) = 0;
  // A socket to host_key is about to open (the fetcher's socket callback). False if one
  // more open connection would exceed the host's hard cap (held slots count as open
  // connections): the socket must not open. This is the fence behind try_acquire.
  virtual bool connection_opening(const std::string& host_key) = 0;

  // --- Keeping it.

  // The engine calls this once per loop turn, before it starts transfers. A gate whose
  // slots are leases outside this process (RedisGate: a TTL in Redis) renews those due and
  // gives back the slots no longer needed here. Returns the hosts whose slots this process
  // lost (a lease it could not renew in time, or found lapsed): the caller must stop using
  // them at once, cut their transfers (cut requests are held as usual) and close their
  // connections. The gate refuses those hosts until their transfers and connections are
  // gone. LocalGate holds nothing outside: nothing to renew, nothing lost.
  virtual std::vector<std::string> maintain(int64_t now_ms) {
    (void)now_ms;
    return {};
  }
  // Whether a request may be sent to host_key now, on a connection already counted (the
  // fetcher asks before every request it sends, redirect hops and reused connections
  // included). LocalGate: always. RedisGate: not once the host's lease may have lapsed (a
  // process that stalled past its lease's deadline), checked on the local steady clock
  // before anything is sent.
  virtual bool may_send(const std::string& host_key) {
    (void)host_key;
    return true;
  }

  // --- Giving it back. A slot is free for another process once both its request and its
  // connection are gone (RedisGate: in Redis at the next maintain() or the next take, whichever is
  // first; a closed connection's once close_grace_ms is over).

  // The request taken by try_acquire ended. Call it before feedback() (and hold()).
  virtual void release(const std::string& host_key) = 0;
  // A socket counted by connection_opening closed.
  virtual void connection_closed(const std::string& host_key) = 0;

  // --- Holding it. A request cut while the provider may still be serving it (and counting
  // it, and often its connection) is an abandoned request: it keeps a slot. hold() takes
  // one slot of the host for ttl_ms from now: until then it counts like a request in flight
  // for try_acquire and like an open connection for the fence, for every process sharing
  // the cap. A hold is a lease that only expires (never renewed, never released early);
  // ttl_ms <= 0 holds nothing. Call it after release() of the request that was cut.
  virtual void hold(const std::string& host_key, int64_t ttl_ms) = 0;

  // --- What the host said, and when to ask again.

  // Outcome of every admitted request, exactly once, after release(): drives AIMD,
  // Retry-After pauses and the circuit breaker. free_retry, storage and local outcomes say
  // nothing about the host (a local fault is our own disk: AIMD does not see it either).
  virtual void feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) = 0;
  // Earliest time a host that is now paused by Retry-After may admit again (0: not paused).
  virtual int64_t paused_until_ms(const std::string& host_key, int64_t now_ms) const = 0;
  // Earliest time > now_ms at which a time-based hold on the host ends (Retry-After pause,
  // open circuit's probe time, next rate token, a held slot that blocks admission, a
  // refused or failed call outside to be retried; on the scale of now_ms), so the engine
  // can sleep until then; 0 if nothing time-based holds it now (it may still be full or
  // waiting for a probe's outcome: a release/feedback, not the clock, changes that).
  virtual int64_t next_admit_ms(const std::string& host_key, int64_t now_ms) const = 0;
  // The host's circuit as of now_ms. A host never seen is closed at its configured cap.
  virtual HostHealth health(const std::string& host_key, int64_t now_ms) const = 0;
};

}  // namespace sluice
