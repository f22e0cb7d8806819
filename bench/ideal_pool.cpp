// sluice-bench-ideal: the reference of bench/capped.sh, an ideal FIFO pool of CAP slots fed
// the exact latency samples the bundled provider draws.
//
// The provider draws one delay per request, in the order requests reach it, from one
// generator seeded by --seed (provider/routes.cpp). A fresh provider started with the same
// --latency and --seed therefore gives its k-th request the same delay whatever the client,
// so the ideal pool is simulated here on that very sequence, through the provider's own
// LatencySpec::sample: request k starts the moment a slot frees (no connect, no transfer,
// no client time) and holds it for delay k. The makespan of that pool is the ideal time;
// Little's law (N x mean / CAP) and the realised sum of delays / CAP are printed beside it.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "provider/options.h"

int main(int argc, char** argv) {
  CLI::App app{"Ideal FIFO pool on the bundled provider's latency samples"};
  uint64_t n = 0;
  int cap = 20;
  std::string latency = "exp:50";
  uint64_t seed = 1;
  app.add_option("--n", n, "Requests")->required();
  app.add_option("--cap", cap, "Slots")->check(CLI::Range(1, 100000));
  app.add_option("--latency", latency, "As given to `sluice provider --latency`");
  app.add_option("--seed", seed, "As given to `sluice provider --seed` (1)");
  CLI11_PARSE(app, argc, argv);

  auto spec = sluice::parse_latency(latency);
  if (!spec.ok()) {
    std::fprintf(stderr, "sluice-bench-ideal: %s\n", spec.error().to_string().c_str());
    return 2;
  }
  std::mt19937_64 rng(seed);
  // Slot free times, earliest first; every slot is free at 0.
  std::priority_queue<int64_t, std::vector<int64_t>, std::greater<>> free_at;
  for (int i = 0; i < cap; ++i) free_at.push(0);
  int64_t makespan_ms = 0;
  int64_t sum_ms = 0;
  for (uint64_t k = 0; k < n; ++k) {
    const int64_t delay = spec->sample(rng).count();
    const int64_t end = free_at.top() + delay;
    free_at.pop();
    free_at.push(end);
    sum_ms += delay;
    makespan_ms = std::max(makespan_ms, end);
  }
  const double little_s = static_cast<double>(n) * spec->ms / 1000.0 / cap;
  std::printf("ideal_fifo_s %.3f sum_over_cap_s %.3f little_s %.3f sum_s %.3f\n",
              makespan_ms / 1000.0, sum_ms / 1000.0 / cap, little_s, sum_ms / 1000.0);
  return 0;
}
