// A worker's life: what makes one `sluice run` (or `serve`) a worker on its queue, apart
// from the queue and gate themselves. Two kinds, one interface, so that the command builds
// the same engine on either and differs only in which life it starts (cmd_run.cpp picks it
// from --queue, in one place):
//
//  - EmbeddedLife (embedded_life.h): a SQLite queue file, one worker per file. Its
//    registration is the run lock (queue/run_lock.h): holding it, every lease in the file
//    belongs to a process that is gone, so begin() takes them all back and empties the
//    store's spool. Its heartbeats go to the file <queue>.run (run_record.h), and the holds
//    a crashed run left there are handed to the engine.
//  - RedisLife (redis_life.h): a Redis queue shared by any number of workers on any machine.
//    Its registration is its leases, renewed while it lives: job leases by a LeaseKeeper
//    (the Queue it gives the engine), slot leases by a RedisGate (the global cap). begin()
//    takes back only expired leases, and leaves the spool alone (other workers may share
//    it); a dead worker's slot leases lapse into held slots on the server, so there is no
//    heartbeat file.
//
// Call order, all on the thread that builds the run: start (the kind's static factory,
// whose error's detail is the whole message for the user, as the run lock's refusal is),
// begin() once the store is open and before the engine is built, then configure() on the
// engine's options and heartbeat_sink() for Engine::on_heartbeat; queue() and gate() from
// start on. Everything the factory was given (limits, clock, logger) outlives the life.
//
// Teardown. The life owns the queue handle, the gate, and what keeps them (run lock, lease
// keeper). The caller declares it before the fetcher and the engine, so they go first:
//   signal subscription -> engine -> fetcher -> store -> life,
// and inside the life: gate -> lease keeper -> queue -> run lock. Why:
//  - the gate outlives the fetcher's connections: the fetcher reports each connection it
//    closes to the gate (engine/gate_observer.h), and a RedisGate gives its slots back to
//    Redis only when it goes, which must not happen while a connection it covers is open;
//  - the keeper goes before the queue: its thread renews and reclaims through it;
//  - the run lock goes last: the queue file stays locked until its connection is closed,
//    so a second run never opens the file while this one still writes to it;
//  - the engine calls the queue and gate until its run() returns, and the signal watcher
//    calls the engine only while its subscription lives (cli/signals.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "engine/heartbeat.h"
#include "engine/options.h"
#include "gate/gate.h"
#include "gate/gate_stats.h"
#include "queue/queue.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/logger.h"

namespace sluice {

// The run's flags a life needs.
struct LifeOptions {
  // --abandon-hold: a slot lease that lapses (RedisLife) stays held this long.
  int64_t abandon_hold_ms = 30'000;
  // --restart-grace (EmbeddedLife): at most this long to hold what a crashed run left held.
  std::optional<int64_t> restart_grace_ms;
  // --lease-ttl (RedisLife): slot and job leases lapse this long after their last renewal.
  int64_t lease_ttl_ms = 10'000;
};

class WorkerLife {
 public:
  virtual ~WorkerLife() = default;
  WorkerLife() = default;
  WorkerLife(const WorkerLife&) = delete;
  WorkerLife& operator=(const WorkerLife&) = delete;

  // The queue the engine works on, the gate it admits through and that gate's statistics
  // and events; all live as long as the life, and only the engine's thread calls them
  // (GateStats::snapshot excepted: any thread, gate_stats.h).
  virtual Queue& queue() = 0;
  virtual Gate& gate() = 0;
  virtual GateStats& gate_stats() = 0;

  // At start, before the engine leases anything: takes back the leases whose holders are
  // gone (logged when there were any) and clears what they left in store's spool that is
  // safe to clear. An error ends the run before it starts.
  [[nodiscard]] virtual Status begin(Store& store) = 0;

  // Sets what this kind of worker changes in the engine's settings: holds left by an
  // earlier run, the job lease time, whether idle connections close. Reads the rest of eo
  // (heartbeat_interval_ms, abandon_hold_ms) as the run set them.
  virtual void configure(EngineOptions& eo) = 0;

  // Where the engine's heartbeats go (Engine::on_heartbeat, called on the engine's thread);
  // empty when this kind keeps none (the engine then builds none).
  virtual std::function<void(const Heartbeat&)> heartbeat_sink() = 0;
};

// What both kinds' begin() do first: queue.reclaim (every lease, or the expired ones only),
// logged when it took any back.
[[nodiscard]] Status reclaim_at_start(Queue& queue, bool all_leases, const Clock& clock,
                                      Logger& log);

}  // namespace sluice
