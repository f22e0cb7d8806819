#include "engine/backoff.h"

#include <algorithm>

namespace sluice {

Backoff::Backoff(int64_t base_ms, int64_t cap_ms, uint64_t seed)
    : base_ms_(std::max<int64_t>(1, base_ms)),
      cap_ms_(std::max<int64_t>(1, cap_ms)),
      rng_(seed ? seed : std::random_device{}()) {}

int64_t Backoff::delay_ms(int attempts_so_far) {
  int shift = std::clamp(attempts_so_far, 0, 30);
  int64_t ceiling = std::min<int64_t>(cap_ms_, base_ms_ << shift);
  std::uniform_int_distribution<int64_t> dist(0, ceiling);
  return dist(rng_);
}

}  // namespace sluice
