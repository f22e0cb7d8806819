// The global per-host gate: one cap per host shared by every worker (process, machine) that
// runs on the same Redis queue. Each worker leases slots in Redis; the sum over all workers,
// plus the host's held slots, never exceeds the host's cap.
//
// The model (redis_scripts/slots.lua does every step atomically, on the server's clock):
//  - A worker holds, per host, one lease on n slots: n = max(requests in flight, open
//    connections) of that host in this worker, idle keep-alive connections included, and
//    closed ones within close_grace_ms. The
//    lease has a TTL (lease_ttl_ms) on the Redis server's time and is renewed while held.
//  - Taking a slot (a request, or a socket the fetcher opens) that n does not cover yet asks
//    Redis to raise n; the script counts every worker's live slots plus the host's held
//    slots and grants only below the cap. An error (Redis unreachable, a script error) is a
//    refusal: a slot is never granted on error.
//  - Giving slots back (a request ends, a connection closes) lowers n at the next
//    maintain() (once per engine turn) or the next raise, whichever comes first (a closed
//    connection's once its close_grace_ms is over); until then the worker keeps them
//    (conservative).
//  - hold(host, ttl) is global: the held slot counts for every worker until ttl ends. It is
//    written in the same script call that lowers n for the cut request, so the slot is never
//    free in between.
//  - A lease that lapses without release (the worker died or stalled) becomes held slots
//    for lapse_hold_ms (--abandon-hold) from its expiry: the provider may still be serving
//    what was sent on them.
//
// Why the provider never sees more than the cap: every request in flight and every open
// connection of every worker is covered by a live lease slot, every cut request by a hold,
// and a lease stops covering only by lapsing (then a hold) or by its worker's release after
// the connection closed. What makes "covered" true on the worker's side is the deadline: the
// worker measures each lease on its own steady clock from the moment it sent the call that
// last renewed it (the server's expiry is later than that), and once deadline = sent +
// lease_ttl_ms * 3/4 passes without a renewal it stops using the host's slots: maintain()
// returns the host, the engine cuts its transfers and closes its connections (cut requests
// are held like any other), and nothing new starts on it until they are all gone. After a
// stall (a paused process), the first call of the turn sees the deadline passed before
// anything is sent. The one exception: a paused process cannot close its idle connections;
// the provider counts them until the process resumes (documented in the README).
//
// Idle connections. A worker keeps a slot for each idle keep-alive connection, and its next
// request to that host reuses it without asking Redis. So that idle connections do not
// hoard slots other workers need, the engine marks a transfer to close its connection when
// it ends if the worker has no job of that host left to reuse it, and closes every idle
// connection once it has nothing in hand nor running (EngineOptions::close_idle); the slot
// then goes back at the first maintain() after close_grace_ms (the provider counts a closed
// connection until our close reaches it; a worker that ends sooner leaves a hold instead).
// A worker refused a slot asks again refused_poll_ms later (next_admit_ms tells the engine
// when).
//
// Per-worker parts (a LocalGate inside): the Retry-After pause, AIMD slow-down, the token
// bucket (--rate) and the circuit breaker are each worker's own. Error bounds, with W
// workers on a host: the hard cap is global and exact; the rate is up to W times --rate (pass
// the global rate divided by W); after a slow-down the host may see up to the sum of the
// workers' effective caps (each worker slows down when it meets 429/503 itself, so a host
// that refuses everyone slows everyone within a few requests); each worker's circuit opens
// on its own failures, so a host that is down may get up to W probes per probe interval.
//
// Threads: every member may be called from any thread (one mutex): the engine's thread
// makes the calls, but the socket callbacks come from the fetch loops' threads
// (connection_opening, connection_closed, may_send) and snapshot() from a status server's
// threads. Calls that
// need Redis block for one round trip (at most the connection's command timeout), holding
// the mutex: a snapshot() meanwhile waits for it.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gate/gate.h"
#include "gate/gate_stats.h"
#include "gate/local_gate.h"
#include "queue/redis_connection.h"
#include "util/clock.h"
#include "util/logger.h"
#include "util/thread_annotations.h"

namespace sluice {

struct RedisGateOptions {
  std::string prefix = "sluice";   // the queue's key prefix: keys are BASE:host:{HOST}:gate:*
  std::string worker;              // this worker's id (the queue's owner id); unique
  int64_t lease_ttl_ms = 10'000;   // a slot lease lapses this long after its last renewal
  int64_t lapse_hold_ms = 30'000;  // --abandon-hold: a lapsed lease's slots stay held so long
  int64_t refused_poll_ms = 10;    // after the cap was full: ask Redis again after this long
  int64_t error_poll_ms = 500;     // after a Redis error
  // A connection this worker closed still counts at the provider until our close reaches it:
  // its slot stays this worker's for so long (given back after, or held if the worker ends
  // first), so no one opens a connection in its place a moment too early. 30 ms: bench/
  // workers.sh kept 0.96 of the ideal pool with 4 workers (0.91 at 100 ms).
  int64_t close_grace_ms = 30;
  CircuitOptions circuit;
};

class RedisGate final : public Gate, public GateStats {
 public:
  // conn is the gate's own (not shared with the queue). clock times the leases' deadlines
  // (steady_ms) and must outlive the gate; log may be null.
  RedisGate(std::unique_ptr<RedisConnection> conn, HostLimits limits, RedisGateOptions options,
            const Clock& clock, Logger* log);
  // Releases every slot (release_all()). Destroy the gate after the fetcher, whose open
  // connections the slots cover.
  ~RedisGate() override;
  RedisGate(const RedisGate&) = delete;
  RedisGate& operator=(const RedisGate&) = delete;

  bool try_acquire(const std::string& host_key, int64_t now_ms) override;
  void release(const std::string& host_key) override;
  bool connection_opening(const std::string& host_key) override;
  // False once the host's lease deadline has passed (or it was found lost) until its
  // transfers and connections are gone: no Redis call, the steady clock only.
  bool may_send(const std::string& host_key) override;
  void connection_closed(const std::string& host_key) override;
  void hold(const std::string& host_key, int64_t ttl_ms) override;
  void feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) override;
  int64_t paused_until_ms(const std::string& host_key, int64_t now_ms) const override;
  // A try_acquire that Redis refused (or that waits to ask again) is time-based: its host is
  // due at retry_at, and at once (now_ms + 1) if that passed already, within the caller's
  // turn, before anyone asked again.
  int64_t next_admit_ms(const std::string& host_key, int64_t now_ms) const override;
  HostHealth health(const std::string& host_key, int64_t now_ms) const override;
  // Renews leases due (every lease_ttl_ms / 4), gives back slots no longer needed, writes
  // holds; returns the hosts whose slots were lost since the last call.
  std::vector<std::string> maintain(int64_t now_ms) override;

  // GateStats. snapshot(): this worker's view (its requests in flight and open connections,
  // its own AIMD and circuit); held is the host's global held slots as of this worker's last
  // call to Redis. No Redis call: it takes the LocalGate's mutex, then this gate's, one at a
  // time; the latter may be held by the engine's or a fetch loop's thread for one Redis round
  // trip.
  std::map<std::string, HostGateState> snapshot() const override;
  std::vector<GateEvent> take_events() override;  // the per-worker LocalGate's events

  // Gives back every slot and writes pending holds. Call when no connection is open.
  Status release_all();

  // Slots this worker holds on the host in Redis, as far as it knows (tests).
  int leased(const std::string& host_key) const;
  uint64_t leases_lost() const;
  // Forgets every slot without giving it back, as a crash would (tests of lapsed leases).
  void forget_for_test();

 private:
  struct Host {
    int cap = 1;
    int in_flight = 0;
    int open = 0;
    std::deque<int64_t> closing;  // steady: when each closed connection's grace ends
    int leased = 0;               // slots the server holds for this worker
    std::vector<int64_t> holds;   // hold ttls not written yet
    int64_t renewed_at = 0;       // steady: when the last good call was sent
    int64_t deadline = 0;         // steady: stop using the slots by then
    int64_t retry_at = 0;         // steady: ask Redis for more no earlier
    bool asking = false;          // the last try_acquire waits for Redis to grant a slot
    bool lost = false;            // lost; its transfers and connections are going
    int held = 0;                 // the host's held slots, at the last call
    int64_t held_for_ms = 0;      // until the first of them frees, at the last call
    uint64_t holds_taken = 0;     // hold() calls since start (this worker's cut requests)
  };
  enum class Sync { granted, refused, lost, failed };

  Host& host(const std::string& host_key) REQUIRES(mu_);
  // Open connections, and closed ones still in their grace (close_grace_ms), as of steady.
  static int counted_open(Host& h, int64_t steady);
  // Slots the host's requests and counted connections take here now.
  static int need(Host& h, int64_t steady) {
    return std::max(h.in_flight, counted_open(h, steady));
  }
  // One call of slots.lua: asks for want slots and writes pending holds.
  Sync sync(const std::string& host_key, Host& h, int want) REQUIRES(mu_);
  // True if the host may be used now; marks it lost when its deadline has passed.
  bool usable(const std::string& host_key, Host& h) REQUIRES(mu_);
  void mark_lost(const std::string& host_key, Host& h, const std::string& why) REQUIRES(mu_);

  mutable std::mutex mu_;
  std::unique_ptr<RedisConnection> conn_ GUARDED_BY(mu_);
  HostLimits limits_;
  RedisGateOptions opt_;
  const Clock& clock_;
  Logger* log_;
  LocalGate local_;
  std::map<std::string, Host> hosts_ GUARDED_BY(mu_);
  std::vector<std::string> lost_ GUARDED_BY(mu_);  // lost since the last maintain()
  uint64_t leases_lost_ GUARDED_BY(mu_) = 0;
  bool failing_ GUARDED_BY(mu_) = false;  // the last call failed (logged once per episode)
};

}  // namespace sluice
