// The in-process Gate: per-host request slots under an adaptive effective cap (AIMD,
// aimd.h), Retry-After pauses, an optional request rate (token_bucket.h), a circuit
// breaker (circuit.h), and a hard fence on open connections.
//
// Why in_flight <= cap is enough to keep open connections <= cap: an idle keep-alive
// connection stays counted as open, and libcurl reuses an idle connection to the same
// host before opening a new one, so each admitted request needs at most one connection.
// The connection fence (connection_opening) makes exceeding the cap impossible even if
// that assumption breaks; refused_sockets counts how often it had to act. The fence is at
// the hard cap, not the effective one: idle connections may outlive a slow-down.
//
// Held slots (hold(): requests sluice cut that the provider may still be serving) count
// on both sides: in_flight + held < effective cap to admit, open + held <= cap to open a
// socket. A cut closes the request's connection before its hold begins, so the provider's
// count (our open connections plus what it still serves) stays within the cap.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gate/aimd.h"
#include "gate/circuit.h"
#include "gate/gate.h"
#include "gate/gate_stats.h"
#include "gate/token_bucket.h"
#include "util/clock.h"
#include "util/thread_annotations.h"

namespace sluice {

class LocalGate final : public Gate, public GateStats {
 public:
  static constexpr size_t kMaxEvents = 1000;  // untaken events beyond this drop the oldest

  // clock (null: the system clock) times holds on its steady_ms(); it outlives the gate.
  explicit LocalGate(HostLimits limits, CircuitOptions circuit = {}, const Clock* clock = nullptr);

  bool try_acquire(const std::string& host_key, int64_t now_ms) override;
  // Whether try_acquire would admit now, changing nothing (no token taken, no probe marked
  // admitted): RedisGate asks this before it asks Redis for a slot.
  bool would_admit(const std::string& host_key, int64_t now_ms);
  void release(const std::string& host_key) override;
  bool connection_opening(const std::string& host_key) override;
  void connection_closed(const std::string& host_key) override;
  void hold(const std::string& host_key, int64_t ttl_ms) override;
  // Retry-After (slow_down with retry_after_ms > 0) pauses the host until now_ms + delay,
  // never shortening a pause. While the circuit is closed: AIMD (aimd.h) and the circuit's
  // window see the outcome. While it is open, only the probe's outcome counts: it closes
  // the circuit (effective cap restarts at max(1, cap / 2)) or re-opens it.
  void feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) override;
  int64_t paused_until_ms(const std::string& host_key, int64_t now_ms) const override;
  int64_t next_admit_ms(const std::string& host_key, int64_t now_ms) const override;
  HostHealth health(const std::string& host_key, int64_t now_ms) const override;

  // GateStats. snapshot() locks the gate's mutex (any thread may call it).
  std::map<std::string, HostGateState> snapshot() const override;
  std::vector<GateEvent> take_events() override;

 private:
  struct Host {
    Host(int cap, double rate, const CircuitOptions& options);
    HostGateState state;  // counters; the rest of snapshot() comes from the parts below
    Aimd aimd;
    CircuitBreaker circuit;
    std::optional<TokenBucket> bucket;  // only with a rate
    int64_t paused_until = 0;
    std::multiset<int64_t> holds;  // expiry of each held slot, on clock_->steady_ms()
  };
  Host& host(const std::string& host_key) REQUIRES(mu_);  // created on first use, from limits_
  int held(Host& h) REQUIRES(mu_);                        // holds live now; drops expired ones
  HostGateState view(const Host& h, int64_t now_ms) const REQUIRES(mu_);
  void emit(GateEvent e) REQUIRES(mu_);

  // The engine's loop makes most calls; the socket callbacks come from the fetch loops'
  // threads and snapshot() from a status server's (gate_stats.h): one lock for all.
  mutable std::mutex mu_;
  SystemClock system_clock_;
  const Clock* clock_;
  HostLimits limits_ GUARDED_BY(mu_);
  CircuitOptions circuit_options_ GUARDED_BY(mu_);
  std::map<std::string, Host> hosts_ GUARDED_BY(mu_);
  std::vector<GateEvent> events_ GUARDED_BY(mu_);
  int64_t last_now_ GUARDED_BY(mu_) = 0;  // latest now_ms seen, for snapshot()
};

}  // namespace sluice
