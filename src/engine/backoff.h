// Exponential backoff with full jitter (a random delay in [0, min(cap, base * 2^n))).
#pragma once

#include <cstdint>
#include <random>

namespace sluice {

class Backoff {
 public:
  Backoff(int64_t base_ms, int64_t cap_ms, uint64_t seed);
  // Delay before attempt number `attempts_so_far + 1`.
  int64_t delay_ms(int attempts_so_far);

 private:
  int64_t base_ms_;
  int64_t cap_ms_;
  std::mt19937_64 rng_;
};

}  // namespace sluice
