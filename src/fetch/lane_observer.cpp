#include "fetch/lane_observer.h"

namespace sluice {

bool LaneObserver::connection_opening(const std::string& host_key) {
  if (upstream_ != nullptr && !upstream_->connection_opening(host_key)) return false;
  std::lock_guard lock(mu_);
  ++open_[host_key];
  return true;
}

void LaneObserver::connection_closed(const std::string& host_key) {
  {
    std::lock_guard lock(mu_);
    auto it = open_.find(host_key);
    if (it != open_.end() && --it->second <= 0) open_.erase(it);
  }
  if (upstream_ != nullptr) upstream_->connection_closed(host_key);
}

bool LaneObserver::may_send(const std::string& host_key) {
  return upstream_ == nullptr || upstream_->may_send(host_key);
}

int LaneObserver::open_to(const std::string& host_key) const {
  std::lock_guard lock(mu_);
  auto it = open_.find(host_key);
  return it == open_.end() ? 0 : it->second;
}

}  // namespace sluice
