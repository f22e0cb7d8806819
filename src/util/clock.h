// An injected clock, so leases, backoff and rates are tested without sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch; stored in the queue (not_before, lease expiry) and
  // in files other processes read. It may step, backwards too.
  virtual int64_t now_ms() const = 0;
  // Monotonic milliseconds, for every duration and deadline inside one process (the
  // gate's pauses, rates and probes; commit intervals).
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
  // A step of the wall clock alone (NTP, an operator; ms may be negative): steady time,
  // like a real monotonic clock, does not move.
  void step_wall_ms(int64_t ms) { now_ += ms; }

 private:
  int64_t now_;
  int64_t steady_;
};

}  // namespace sluice
