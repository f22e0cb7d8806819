// A per-host circuit breaker: when the most recent requests to a host fail alike (the
// provider is down, or has suspended the account), stop sending it requests and probe it
// with one request at a time, with a growing delay, until one succeeds.
//
// closed --(>= min_samples alike failures, >= threshold of the window)--> open
// open --(probe time reached)--> half_open: one request, the probe, admitted once nothing
//   admitted before the circuit opened is still in flight, so the next outcome heard is
//   the probe's
// half_open --(probe answered without a failure signature)--> closed (window cleared)
// half_open --(probe failed alike or otherwise)--> open, delay doubled up to the maximum
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string_view>

#include "gate/gate.h"

namespace sluice {

// Failures that look alike when a whole host is in trouble. Per-object failures (404,
// 410, not an image, too large, ...) and successes are `none`: they never open a circuit.
enum class FailureSignature { none, http_401, http_403, http_429, http_5xx, network };

// "http_401", "http_403", "http_429", "http_5xx" (any 500-599), "network" (dns, connect,
// timeout, reset, truncated, tls, other transport failures); "" for none.
std::string_view signature_name(FailureSignature s);
FailureSignature failure_signature(const Feedback& fb);

struct CircuitOptions {
  bool enabled = true;
  int window = 20;                         // the most recent completed requests considered
  int min_samples = 10;                    // alike failures needed to open, at least ...
  double threshold = 0.8;                  // ... and at least this share of the window
  int64_t first_probe_delay_ms = 1'000;    // from opening to the first probe
  int64_t max_probe_interval_ms = 60'000;  // each failed probe doubles the delay, to this
};

class CircuitBreaker {
 public:
  enum class Change { none, opened, closed, probe_failed };

  explicit CircuitBreaker(const CircuitOptions& options);

  CircuitState state(int64_t now_ms) const;
  // Whether the circuit lets a request through now. in_flight: the host's requests out.
  bool may_admit(int64_t now_ms, int in_flight) const;
  // A request was admitted (after may_admit): when half-open, it is the probe.
  void admitted();
  // The outcome of an admitted request. no_outcome: it ended without an answer that says
  // anything about the host (cancelled, refused by our own fence); a probe that ends so
  // is simply sent again.
  Change record(FailureSignature sig, bool no_outcome, int64_t now_ms);

  FailureSignature signature() const { return signature_; }  // none when closed
  int64_t next_probe_ms() const { return open_ ? next_probe_ : 0; }
  int64_t opened_at_ms() const { return opened_at_; }  // first opening of this episode
  int failures_at_open() const { return failures_at_open_; }
  int window_at_open() const { return window_at_open_; }
  uint64_t times_opened() const { return times_opened_; }
  uint64_t probes_failed() const { return probes_failed_; }

 private:
  void push(FailureSignature sig);

  CircuitOptions opt_;
  std::deque<FailureSignature> window_;  // closed: the most recent outcomes, oldest first
  std::array<int, 6> counts_{};          // per signature, over window_
  bool open_ = false;                    // open or half_open
  bool probe_out_ = false;
  FailureSignature signature_ = FailureSignature::none;
  int64_t next_probe_ = 0;
  int64_t delay_ = 0;
  int64_t opened_at_ = 0;
  int failures_at_open_ = 0;
  int window_at_open_ = 0;
  uint64_t times_opened_ = 0;
  uint64_t probes_failed_ = 0;
};

}  // namespace sluice
