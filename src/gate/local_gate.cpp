#include "gate/local_gate.h"

#include <algorithm>
#include <utility>

namespace sluice {

LocalGate::Host::Host(int cap, double rate, const CircuitOptions& options)
    : aimd(cap), circuit(options) {
  state.cap = cap;
  state.rate = rate;
  if (rate > 0) {
    bucket.emplace(rate);
    state.rate = bucket->rate();
  }
}

LocalGate::LocalGate(HostLimits limits, CircuitOptions circuit, const Clock* clock)
    : clock_(clock ? clock : &system_clock_),
      limits_(std::move(limits)),
      circuit_options_(circuit) {}

LocalGate::Host& LocalGate::host(const std::string& host_key) {
  auto it = hosts_.find(host_key);
  if (it == hosts_.end()) {
    it = hosts_
             .try_emplace(host_key, std::max(1, limits_.cap_for(host_key)),
                          limits_.rate_for(host_key), circuit_options_)
             .first;
  }
  return it->second;
}

int LocalGate::held(Host& h) {
  const int64_t now = clock_->steady_ms();
  h.holds.erase(h.holds.begin(), h.holds.upper_bound(now));
  return static_cast<int>(h.holds.size());
}

void LocalGate::emit(GateEvent e) {
  if (events_.size() >= kMaxEvents) events_.erase(events_.begin());
  events_.push_back(std::move(e));
}

bool LocalGate::try_acquire(const std::string& host_key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  last_now_ = std::max(last_now_, now_ms);
  Host& h = host(host_key);
  HostGateState& s = h.state;
  if (now_ms < h.paused_until) return false;
  if (!h.circuit.may_admit(now_ms, s.in_flight)) return false;
  if (s.in_flight + held(h) >= h.aimd.effective()) return false;
  if (h.bucket && !h.bucket->try_take(now_ms)) return false;  // the last check: takes a token
  h.circuit.admitted();
  ++s.in_flight;
  s.max_in_flight = std::max(s.max_in_flight, s.in_flight);
  return true;
}

bool LocalGate::would_admit(const std::string& host_key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  if (now_ms < h.paused_until) return false;
  if (!h.circuit.may_admit(now_ms, h.state.in_flight)) return false;
  if (h.state.in_flight + held(h) >= h.aimd.effective()) return false;
  return !h.bucket || h.bucket->tokens(now_ms) >= 1.0;
}

void LocalGate::release(const std::string& host_key) {
  std::lock_guard lock(mu_);
  HostGateState& s = host(host_key).state;
  if (s.in_flight > 0) --s.in_flight;
}

bool LocalGate::connection_opening(const std::string& host_key) {
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  HostGateState& s = h.state;
  if (s.open_connections + held(h) + 1 > s.cap) {
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

void LocalGate::hold(const std::string& host_key, int64_t ttl_ms) {
  if (ttl_ms <= 0) return;
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  h.holds.insert(clock_->steady_ms() + ttl_ms);
  ++h.state.holds_taken;
}

void LocalGate::feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) {
  std::lock_guard lock(mu_);
  last_now_ = std::max(last_now_, now_ms);
  Host& h = host(host_key);
  if (fb.cls == ErrorClass::slow_down && fb.retry_after_ms > 0) {
    h.paused_until = std::max(h.paused_until, now_ms + fb.retry_after_ms);
  }
  // A local fault (our disk) says nothing about the host: neither slow-down nor the
  // circuit breaker hears of it.
  const bool local = fb.cls == ErrorClass::local;
  const bool was_closed = h.circuit.state(now_ms) == CircuitState::closed;
  if (was_closed && !local && h.aimd.on_outcome(fb.cls, h.state.in_flight)) {
    ++h.state.slow_downs;
    GateEvent e{GateEvent::Kind::slowed_down, host_key, now_ms};
    e.effective_cap = h.aimd.effective();
    e.paused_until_ms = h.paused_until > now_ms ? h.paused_until : 0;
    emit(std::move(e));
  }
  const bool no_outcome =
      fb.cls == ErrorClass::free_retry || fb.cls == ErrorClass::storage || local;
  const FailureSignature sig = failure_signature(fb);
  GateEvent e{GateEvent::Kind::circuit_opened, host_key, now_ms};
  switch (h.circuit.record(sig, no_outcome, now_ms)) {
    case CircuitBreaker::Change::none:
      return;
    case CircuitBreaker::Change::opened:
      e.signature = signature_name(h.circuit.signature());
      e.failures = h.circuit.failures_at_open();
      e.window = h.circuit.window_at_open();
      e.next_probe_ms = h.circuit.next_probe_ms();
      break;
    case CircuitBreaker::Change::closed:
      h.aimd.restart_at(std::max(1, h.state.cap / 2));
      e.kind = GateEvent::Kind::circuit_closed;
      e.after_ms = now_ms - h.circuit.opened_at_ms();
      e.effective_cap = h.aimd.effective();
      break;
    case CircuitBreaker::Change::probe_failed:
      e.kind = GateEvent::Kind::probe_failed;
      e.signature = signature_name(sig);
      e.next_probe_ms = h.circuit.next_probe_ms();
      break;
  }
  emit(std::move(e));
}

int64_t LocalGate::paused_until_ms(const std::string& host_key, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  auto it = hosts_.find(host_key);
  if (it == hosts_.end() || it->second.paused_until <= now_ms) return 0;
  return it->second.paused_until;
}

int64_t LocalGate::next_admit_ms(const std::string& host_key, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  auto it = hosts_.find(host_key);
  if (it == hosts_.end()) return 0;
  const Host& h = it->second;
  int64_t t = h.paused_until;
  if (h.circuit.state(now_ms) == CircuitState::open) t = std::max(t, h.circuit.next_probe_ms());
  if (h.bucket) t = std::max(t, h.bucket->next_token_ms(now_ms));
  // Holds: when they fill the window, the first to expire frees a slot (mapped onto now_ms).
  const int64_t steady = clock_->steady_ms();
  auto live = h.holds.upper_bound(steady);
  const int held_now = static_cast<int>(std::distance(live, h.holds.end()));
  if (held_now > 0 && h.state.in_flight + held_now >= h.aimd.effective()) {
    t = std::max(t, now_ms + (*live - steady));
  }
  return t > now_ms ? t : 0;
}

HostHealth LocalGate::health(const std::string& host_key, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  HostHealth out;
  auto it = hosts_.find(host_key);
  if (it == hosts_.end()) {
    out.effective_cap = std::max(1, limits_.cap_for(host_key));
    return out;
  }
  const Host& h = it->second;
  out.circuit = h.circuit.state(now_ms);
  out.signature = signature_name(h.circuit.signature());
  out.next_probe_ms = h.circuit.next_probe_ms();
  out.effective_cap = h.aimd.effective();
  return out;
}

std::vector<GateEvent> LocalGate::take_events() {
  std::lock_guard lock(mu_);
  return std::exchange(events_, {});
}

HostGateState LocalGate::view(const Host& h, int64_t now_ms) const {
  HostGateState s = h.state;
  s.effective_cap = h.aimd.effective();
  s.circuit = h.circuit.state(now_ms);
  s.signature = signature_name(h.circuit.signature());
  s.next_probe_ms = h.circuit.next_probe_ms();
  s.circuits_opened = h.circuit.times_opened();
  s.probes_failed = h.circuit.probes_failed();
  s.paused_until_ms = h.paused_until;
  const int64_t steady = clock_->steady_ms();
  auto live = h.holds.upper_bound(steady);
  s.held = static_cast<int>(std::distance(live, h.holds.end()));
  s.held_for_ms = s.held > 0 ? *h.holds.rbegin() - steady : 0;
  return s;
}

std::map<std::string, HostGateState> LocalGate::snapshot() const {
  std::lock_guard lock(mu_);
  std::map<std::string, HostGateState> out;
  for (const auto& [key, h] : hosts_) out.emplace(key, view(h, last_now_));
  return out;
}

}  // namespace sluice
