// The provider's two handlers: the main port (the fragile partner) and the uncounted
// control port (/__stats, /__reset).
#pragma once

#include <random>

#include "provider/counters.h"
#include "provider/options.h"
#include "provider/reply.h"

namespace sluice {

// GET|HEAD /img/<name> (an image), /status/<code>/<anything>, /__stats. Fault rules go
// first; every reply is delayed by the latency spec.
class MainRoutes final : public Handler {
 public:
  MainRoutes(ProviderOptions options, Counters* counters);
  Reply handle(const RequestView& request) override;

 private:
  Reply route(const RequestView& request) const;

  const ProviderOptions options_;
  Counters* counters_;
  std::mt19937_64 rng_;  // latency draws, seeded by --seed
};

// GET /__stats and POST /__reset.
class ControlRoutes final : public Handler {
 public:
  explicit ControlRoutes(Counters* counters) : counters_(counters) {}
  Reply handle(const RequestView& request) override;

 private:
  Counters* counters_;
};

}  // namespace sluice
