#include "gate/circuit.h"

#include <algorithm>

namespace sluice {
namespace {

CircuitOptions sanitized(CircuitOptions o) {
  o.window = std::max(1, o.window);
  o.min_samples = std::clamp(o.min_samples, 1, o.window);
  o.threshold = std::clamp(o.threshold, 0.0, 1.0);
  o.first_probe_delay_ms = std::max<int64_t>(1, o.first_probe_delay_ms);
  o.max_probe_interval_ms = std::max(o.first_probe_delay_ms, o.max_probe_interval_ms);
  return o;
}

FailureSignature by_status(int status) {
  if (status == 401) return FailureSignature::http_401;
  if (status == 403) return FailureSignature::http_403;
  if (status == 429) return FailureSignature::http_429;
  if (status >= 500 && status <= 599) return FailureSignature::http_5xx;
  return FailureSignature::none;
}

}  // namespace

std::string_view signature_name(FailureSignature s) {
  switch (s) {
    case FailureSignature::none:
      return "";
    case FailureSignature::http_401:
      return "http_401";
    case FailureSignature::http_403:
      return "http_403";
    case FailureSignature::http_429:
      return "http_429";
    case FailureSignature::http_5xx:
      return "http_5xx";
    case FailureSignature::network:
      return "network";
  }
  return "";
}

FailureSignature failure_signature(const Feedback& fb) {
  switch (fb.cls) {
    case ErrorClass::permanent:
    case ErrorClass::transient:
    case ErrorClass::slow_down:
      break;
    default:  // success, and outcomes that say nothing about the host
      return FailureSignature::none;
  }
  switch (fb.reason) {
    case Reason::ok:  // only the status is known
    case Reason::http_status:
      return by_status(fb.http_status);
    case Reason::dns:
    case Reason::connect:
    case Reason::timeout:
    case Reason::reset:
    case Reason::truncated:
    case Reason::tls:
    case Reason::network:
      return FailureSignature::network;
    default:
      return FailureSignature::none;
  }
}

CircuitBreaker::CircuitBreaker(const CircuitOptions& options) : opt_(sanitized(options)) {}

CircuitState CircuitBreaker::state(int64_t now_ms) const {
  if (!open_) return CircuitState::closed;
  return probe_out_ || now_ms >= next_probe_ ? CircuitState::half_open : CircuitState::open;
}

bool CircuitBreaker::may_admit(int64_t now_ms, int in_flight) const {
  if (!open_) return true;
  return now_ms >= next_probe_ && !probe_out_ && in_flight == 0;
}

void CircuitBreaker::admitted() {
  if (open_) probe_out_ = true;
}

void CircuitBreaker::push(FailureSignature sig) {
  window_.push_back(sig);
  ++counts_[static_cast<size_t>(sig)];
  while (window_.size() > static_cast<size_t>(opt_.window)) {
    --counts_[static_cast<size_t>(window_.front())];
    window_.pop_front();
  }
}

CircuitBreaker::Change CircuitBreaker::record(FailureSignature sig, bool no_outcome,
                                              int64_t now_ms) {
  if (!open_) {
    if (no_outcome || !opt_.enabled) return Change::none;
    push(sig);
    if (sig == FailureSignature::none) return Change::none;
    const int alike = counts_[static_cast<size_t>(sig)];
    const int n = static_cast<int>(window_.size());
    if (alike < opt_.min_samples || alike < opt_.threshold * n - 1e-9) return Change::none;
    open_ = true;
    probe_out_ = false;
    signature_ = sig;
    delay_ = opt_.first_probe_delay_ms;
    next_probe_ = now_ms + delay_;
    opened_at_ = now_ms;
    failures_at_open_ = alike;
    window_at_open_ = n;
    ++times_opened_;
    return Change::opened;
  }
  if (!probe_out_) return Change::none;  // a request sent before the circuit opened
  probe_out_ = false;
  if (no_outcome) return Change::none;  // the probe said nothing: another goes
  if (sig == FailureSignature::none) {
    open_ = false;
    signature_ = FailureSignature::none;
    window_.clear();
    counts_ = {};
    return Change::closed;
  }
  delay_ = std::min(delay_ * 2, opt_.max_probe_interval_ms);
  next_probe_ = now_ms + delay_;
  signature_ = sig;
  ++probes_failed_;
  return Change::probe_failed;
}

}  // namespace sluice
