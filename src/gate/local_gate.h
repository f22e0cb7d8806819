// The in-process Gate: per-host request slots, a hard fence on open connections, and the
// simple part of adaptive slow-down (AIMD) and Retry-After pauses.
//
// Why in_flight <= cap is enough to keep open connections <= cap: an idle keep-alive
// connection stays counted as open, and libcurl reuses an idle connection to the same
// host before opening a new one, so each admitted request needs at most one connection.
// The connection fence (connection_opening) makes exceeding the cap impossible even if
// that assumption breaks; refused_sockets counts how often it had to act.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "gate/gate.h"

namespace sluice {

class LocalGate final : public Gate {
 public:
  explicit LocalGate(HostLimits limits) : limits_(std::move(limits)) {}

  bool try_acquire(const std::string& host_key, int64_t now_ms) override;
  void release(const std::string& host_key) override;
  bool connection_opening(const std::string& host_key) override;
  void connection_closed(const std::string& host_key) override;
  // Success (cls none): +1 to effective_cap per effective_cap successes, up to cap.
  // slow_down (429/503): effective_cap halves (at least 1); retry_after_ms > 0 pauses the
  // host for that long from now_ms. Other classes change nothing here yet.
  void feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) override;
  int64_t paused_until_ms(const std::string& host_key, int64_t now_ms) const override;
  std::map<std::string, HostGateState> snapshot() const override;

 private:
  struct Host {
    HostGateState state;
    int successes = 0;  // since the last change of effective_cap
    int64_t paused_until = 0;
  };
  Host& host(const std::string& host_key);  // created on first use, capped by limits_

  // The engine's loop calls everything but snapshot(), which a status server may call
  // from its own thread; one lock keeps that simple.
  mutable std::mutex mu_;
  HostLimits limits_;                  // GUARDED_BY(mu_)
  std::map<std::string, Host> hosts_;  // GUARDED_BY(mu_)
};

}  // namespace sluice
