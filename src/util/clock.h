// An injected clock, so leases, backoff and rates are tested without sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch; stored in the queue (not_before, lease expiry).
  virtual int64_t now_ms() const = 0;
  // Monotonic milliseconds, for measuring durations inside one process.
  virtual int64_t steady_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override;
  int64_t steady_ms() const override;
};

// A clock that moves only when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms), steady_(0) {}
  int64_t now_ms() const override { return now_; }
  int64_t steady_ms() const override { return steady_; }
  void advance_ms(int64_t ms) {
    now_ += ms;
    steady_ += ms;
  }

 private:
  int64_t now_;
  int64_t steady_;
};

}  // namespace sluice
