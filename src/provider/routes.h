// The provider's two handlers: the main port (the fragile partner) and the uncounted
// control port (/__stats, /__reset, /__suspend).
#pragma once

#include <chrono>
#include <random>

#include "provider/counters.h"
#include "provider/options.h"
#include "provider/reply.h"
#include "util/clock.h"

namespace sluice {

// GET|HEAD /img/<name> (an image), /status/<code>/<anything>, /__stats. Fault rules go
// first (faults.h), each reply taken by one counted in the Counters; every reply is delayed
// by the latency spec.
class MainRoutes final : public Handler {
 public:
  // `clock` (null: the system clock) dates Retry-After; both pointers outlive the routes.
  MainRoutes(ProviderOptions options, Counters* counters, const Clock* clock = nullptr);
  Reply handle(const RequestView& request) override;

 private:
  Reply route(const RequestView& request) const;

  const ProviderOptions options_;
  const bool count_gets_;  // some fault rule looks at how many GETs a path has had
  Counters* counters_;
  SystemClock system_clock_;
  const Clock* clock_;
  std::mt19937_64 rng_;  // latency draws, seeded by --seed
};

// GET /__stats; POST /__reset; POST /__suspend?seconds=N (suspends the main port for N
// seconds, violation or not; 0 lifts any suspension; without ?seconds= the length is
// `default_suspend`, when that is positive). Each answers with the stats after it.
class ControlRoutes final : public Handler {
 public:
  explicit ControlRoutes(Counters* counters, std::chrono::seconds default_suspend = {})
      : counters_(counters), default_suspend_(default_suspend) {}
  Reply handle(const RequestView& request) override;

 private:
  Reply suspend(const RequestView& request);

  Counters* counters_;
  std::chrono::seconds default_suspend_;
};

}  // namespace sluice
