// Helpers shared by the gate's tests: gates with one configured host, feedback values,
// and one whole request (acquire, release, feedback) as the engine makes it.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gate/local_gate.h"

namespace sluice::gate_test {

inline const std::string kHost = "img.example:443";

inline HostLimits limits_for(int cap, const std::string& rate = "") {
  HostLimits limits(20);
  EXPECT_TRUE(limits.add_rule("img.example=" + std::to_string(cap)).ok());
  if (!rate.empty()) {
    EXPECT_TRUE(limits.add_rate_rule("img.example=" + rate).ok());
  }
  return limits;
}

inline HostGateState state(const GateStats& g, const std::string& host = kHost) {
  auto snap = g.snapshot();
  auto it = snap.find(host);
  return it == snap.end() ? HostGateState{} : it->second;
}

inline Feedback ok() { return feedback_for(Error{}); }
inline Feedback http(int status, int64_t retry_after_ms = 0) {
  return feedback_for(http_error(status, "test"), retry_after_ms);
}
inline Feedback net(Reason r) { return feedback_for(make_error(r, "test")); }

// One request as the engine makes it; false (and no feedback) if it was not admitted.
inline bool request(Gate& g, const Feedback& fb, int64_t now, const std::string& host = kHost) {
  if (!g.try_acquire(host, now)) return false;
  g.release(host);
  g.feedback(host, fb, now);
  return true;
}

inline std::vector<GateEvent::Kind> kinds(const std::vector<GateEvent>& events) {
  std::vector<GateEvent::Kind> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

}  // namespace sluice::gate_test
