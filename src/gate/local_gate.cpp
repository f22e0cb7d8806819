#include "gate/local_gate.h"

#include <algorithm>

namespace sluice {

LocalGate::Host& LocalGate::host(const std::string& host_key) {
  auto it = hosts_.find(host_key);
  if (it == hosts_.end()) {
    Host h;
    h.state.cap = std::max(1, limits_.cap_for(host_key));
    h.state.effective_cap = h.state.cap;
    it = hosts_.emplace(host_key, h).first;
  }
  return it->second;
}

bool LocalGate::try_acquire(const std::string& host_key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  if (now_ms < h.paused_until) return false;
  HostGateState& s = h.state;
  if (s.in_flight >= s.effective_cap) return false;
  ++s.in_flight;
  s.max_in_flight = std::max(s.max_in_flight, s.in_flight);
  return true;
}

void LocalGate::release(const std::string& host_key) {
  std::lock_guard lock(mu_);
  HostGateState& s = host(host_key).state;
  if (s.in_flight > 0) --s.in_flight;
}

bool LocalGate::connection_opening(const std::string& host_key) {
  std::lock_guard lock(mu_);
  HostGateState& s = host(host_key).state;
  if (s.open_connections + 1 > s.cap) {
    ++s.refused_sockets;
    return false;
  }
  ++s.open_connections;
  s.max_open_connections = std::max(s.max_open_connections, s.open_connections);
  return true;
}

void LocalGate::connection_closed(const std::string& host_key) {
  std::lock_guard lock(mu_);
  HostGateState& s = host(host_key).state;
  if (s.open_connections > 0) --s.open_connections;
}

void LocalGate::feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) {
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  HostGateState& s = h.state;
  switch (fb.cls) {
    case ErrorClass::none:
      if (++h.successes >= s.effective_cap) {
        h.successes = 0;
        s.effective_cap = std::min(s.cap, s.effective_cap + 1);
      }
      break;
    case ErrorClass::slow_down:
      h.successes = 0;
      s.effective_cap = std::max(1, s.effective_cap / 2);
      if (fb.retry_after_ms > 0)
        h.paused_until = std::max(h.paused_until, now_ms + fb.retry_after_ms);
      break;
    default:  // circuit breaker and the rest of the policy come later
      break;
  }
}

int64_t LocalGate::paused_until_ms(const std::string& host_key, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  auto it = hosts_.find(host_key);
  if (it == hosts_.end() || it->second.paused_until <= now_ms) return 0;
  return it->second.paused_until;
}

std::map<std::string, HostGateState> LocalGate::snapshot() const {
  std::lock_guard lock(mu_);
  std::map<std::string, HostGateState> out;
  for (const auto& [key, h] : hosts_) out.emplace(key, h.state);
  return out;
}

}  // namespace sluice
