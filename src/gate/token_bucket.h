// A token bucket for a per-host request rate, driven by injected time.
//
// rate R requests per second; capacity max(1, R) tokens; full at the first call. Each
// admission takes one token, so over any span of T seconds at most max(1, R) + R * T
// requests start: a host idle for a second may take up to R (at least 1) at once.
// Kept in integer micro-tokens, so fractional rates (0.5/s: one request every 2 s) have no
// floating-point drift. Like any bucket it drops what overflows its capacity, here to the
// millisecond: the rate achieved is at most R, never more.
#pragma once

#include <cstdint>

namespace sluice {

class TokenBucket {
 public:
  static constexpr int64_t kToken = 1'000'000;  // micro-tokens per token

  explicit TokenBucket(double rate_per_s);  // rounded to a thousandth; at least 0.001

  double rate() const { return static_cast<double>(milli_rate_) / 1000.0; }
  double capacity() const { return static_cast<double>(capacity_) / kToken; }

  // Takes one token if there is one at now_ms.
  bool try_take(int64_t now_ms);
  // 0 if a token is there at now_ms, else the earliest time one will be.
  int64_t next_token_ms(int64_t now_ms) const;
  double tokens(int64_t now_ms) const { return static_cast<double>(level_at(now_ms)) / kToken; }

 private:
  int64_t level_at(int64_t now_ms) const;  // micro-tokens at now_ms, refilled

  int64_t milli_rate_;  // tokens per 1000 s == micro-tokens per ms
  int64_t capacity_;    // micro-tokens
  int64_t level_;       // micro-tokens at last_ms_
  int64_t last_ms_ = 0;
  bool started_ = false;
};

}  // namespace sluice
