#include "engine/disk_pause.h"

#include <algorithm>
#include <limits>

namespace sluice {

DiskPause::DiskPause(int64_t wait_ms, int64_t probe_base_ms, int64_t probe_cap_ms)
    : wait_ms_(std::max<int64_t>(0, wait_ms)),
      probe_base_ms_(std::max<int64_t>(1, probe_base_ms)),
      probe_cap_ms_(std::max(probe_base_ms_, probe_cap_ms)) {}

void DiskPause::schedule_probe(int64_t now) {
  int64_t delay = probe_base_ms_;
  for (int i = 0; i < probes_failed_ && delay < probe_cap_ms_; ++i) delay *= 2;
  next_probe_ = now + std::min(delay, probe_cap_ms_);
}

bool DiskPause::fault(const Error& e, int64_t now) {
  last_ = e;
  if (state_ == State::clear) {
    state_ = State::paused;
    first_ = e;
    since_ = now;
    probes_failed_ = 0;
    ++episodes_;
    schedule_probe(now);
    return true;
  }
  if (state_ == State::trying) {
    // The probe passed but a real write failed again: wait longer before the next one.
    state_ = State::paused;
    ++probes_failed_;
    schedule_probe(now);
  }
  return false;  // paused: in-flight transfers failing alike do not move the probe
}

void DiskPause::probe_failed(const Error& e, int64_t now) {
  last_ = e;
  ++probes_failed_;
  schedule_probe(now);
}

void DiskPause::probe_passed() {
  if (state_ == State::paused) state_ = State::trying;
}

bool DiskPause::written(int64_t now) {
  if (state_ != State::trying) return false;
  state_ = State::clear;
  episode_ms_ = now - since_;
  return true;
}

size_t DiskPause::fetch_budget(size_t in_flight) const {
  switch (state_) {
    case State::clear:
      return std::numeric_limits<size_t>::max();
    case State::trying:
      return in_flight == 0 ? 1 : 0;
    case State::paused:
      return 0;
  }
  return 0;
}

int64_t DiskPause::next_wake_ms() const {
  if (state_ == State::clear) return std::numeric_limits<int64_t>::max();
  const int64_t expiry = since_ + wait_ms_;
  return state_ == State::paused ? std::min(next_probe_, expiry) : expiry;
}

}  // namespace sluice
