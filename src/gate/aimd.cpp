#include "gate/aimd.h"

#include <algorithm>

namespace sluice {

bool Aimd::on_outcome(ErrorClass cls, int in_flight) {
  if (cls == ErrorClass::slow_down && since_cut_ >= guard_) {
    const int before = effective_;
    effective_ = std::max(1, effective_ / 2);
    successes_ = 0;
    guard_ = std::max(0, in_flight);
    since_cut_ = 0;
    return effective_ != before;
  }
  if (since_cut_ < guard_) ++since_cut_;
  if (cls == ErrorClass::none && ++successes_ >= effective_) {
    successes_ = 0;
    effective_ = std::min(cap_, effective_ + 1);
  }
  return false;
}

void Aimd::restart_at(int effective) {
  effective_ = std::clamp(effective, 1, std::max(1, cap_));
  successes_ = guard_ = since_cut_ = 0;
}

}  // namespace sluice
