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
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gate/aimd.h"
#include "gate/circuit.h"
#include "gate/gate.h"
#include "gate/token_bucket.h"
#include "util/thread_annotations.h"

namespace sluice {

class LocalGate final : public Gate {
 public:
  static constexpr size_t kMaxEvents = 1000;  // untaken events beyond this drop the oldest

  explicit LocalGate(HostLimits limits, CircuitOptions circuit = {});

  bool try_acquire(const std::string& host_key, int64_t now_ms) override;
  void release(const std::string& host_key) override;
  bool connection_opening(const std::string& host_key) override;
  void connection_closed(const std::string& host_key) override;
  // Retry-After (slow_down with retry_after_ms > 0) pauses the host until now_ms + delay,
  // never shortening a pause. While the circuit is closed: AIMD (aimd.h) and the circuit's
  // window see the outcome. While it is open, only the probe's outcome counts: it closes
  // the circuit (effective cap restarts at max(1, cap / 2)) or re-opens it.
  void feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) override;
  int64_t paused_until_ms(const std::string& host_key, int64_t now_ms) const override;
  int64_t next_admit_ms(const std::string& host_key, int64_t now_ms) const override;
  HostHealth health(const std::string& host_key, int64_t now_ms) const override;
  std::vector<GateEvent> take_events() override;
  std::map<std::string, HostGateState> snapshot() const override;

 private:
  struct Host {
    Host(int cap, double rate, const CircuitOptions& options);
    HostGateState state;  // counters; the rest of snapshot() comes from the parts below
    Aimd aimd;
    CircuitBreaker circuit;
    std::optional<TokenBucket> bucket;  // only with a rate
    int64_t paused_until = 0;
  };
  Host& host(const std::string& host_key) REQUIRES(mu_);  // created on first use, from limits_
  HostGateState view(const Host& h, int64_t now_ms) const REQUIRES(mu_);
  void emit(GateEvent e) REQUIRES(mu_);

  // The engine's loop calls everything but snapshot(), which a status server may call
  // from its own thread; one lock keeps that simple.
  mutable std::mutex mu_;
  HostLimits limits_ GUARDED_BY(mu_);
  CircuitOptions circuit_options_ GUARDED_BY(mu_);
  std::map<std::string, Host> hosts_ GUARDED_BY(mu_);
  std::vector<GateEvent> events_ GUARDED_BY(mu_);
  int64_t last_now_ GUARDED_BY(mu_) = 0;  // latest now_ms seen, for snapshot()
};

}  // namespace sluice
