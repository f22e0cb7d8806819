// Adaptive slow-down for one host: additive increase, multiplicative decrease (AIMD) of
// the effective concurrency between 1 and the configured cap.
//
// A 429/503 halves the effective cap (at least 1), but at most once per window: the
// requests still in flight when it cut were sent under the old cap, so their answers
// (20 simultaneous 429s, say) say nothing new. Another cut needs as many further outcomes
// as there were requests in flight at the cut, i.e. until the requests sent after it are
// answering. Every effective_cap successes add 1, never above the cap.
#pragma once

#include "util/error.h"

namespace sluice {

class Aimd {
 public:
  explicit Aimd(int cap) : cap_(cap), effective_(cap) {}

  int cap() const { return cap_; }
  int effective() const { return effective_; }

  // One admitted request's outcome. in_flight: the host's requests still in flight, this
  // one excluded (the engine releases before it reports). Returns true if it
  // lowered the effective cap (a cut at 1 starts a new window but changes nothing).
  bool on_outcome(ErrorClass cls, int in_flight);

  // Starts over at effective (clamped to 1..cap) with a fresh window, as after a circuit
  // closes.
  void restart_at(int effective);

 private:
  int cap_;
  int effective_;
  int successes_ = 0;  // since effective_ last changed
  int guard_ = 0;      // outcomes to wait for after a cut before cutting again
  int since_cut_ = 0;  // outcomes since the last cut, saturating at guard_
};

}  // namespace sluice
