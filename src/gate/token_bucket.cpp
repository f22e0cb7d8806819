#include "gate/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace sluice {

TokenBucket::TokenBucket(double rate_per_s)
    : milli_rate_(std::max<int64_t>(1, std::llround(rate_per_s * 1000))),
      capacity_(std::max(kToken, milli_rate_ * 1000)),
      level_(capacity_) {}

int64_t TokenBucket::level_at(int64_t now_ms) const {
  if (!started_) return capacity_;
  const int64_t elapsed = now_ms - last_ms_;
  if (elapsed <= 0) return level_;  // no refill when the clock stands still or steps back
  const int64_t to_full = (capacity_ - level_ + milli_rate_ - 1) / milli_rate_;
  if (elapsed >= to_full) return capacity_;  // also keeps the product below from overflowing
  return level_ + elapsed * milli_rate_;
}

bool TokenBucket::try_take(int64_t now_ms) {
  level_ = level_at(now_ms);
  // After a backward clock step, count from the new time: at most one extra bucketful.
  last_ms_ = now_ms;
  started_ = true;
  if (level_ < kToken) return false;
  level_ -= kToken;
  return true;
}

int64_t TokenBucket::next_token_ms(int64_t now_ms) const {
  const int64_t level = level_at(now_ms);
  if (level >= kToken) return 0;
  return now_ms + (kToken - level + milli_rate_ - 1) / milli_rate_;
}

}  // namespace sluice
