#include "provider/counters.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sluice {

std::string stats_json(const ProviderStats& s) {
  nlohmann::ordered_json by_status = nlohmann::ordered_json::object();
  for (const auto& [status, n] : s.by_status) by_status[std::to_string(status)] = n;
  nlohmann::ordered_json faults = nlohmann::ordered_json::object();
  for (const auto& [rule, n] : s.faults) faults[rule] = n;
  nlohmann::ordered_json j = {
      {"cap", s.cap},
      {"open_connections", s.open_connections},
      {"max_open_connections", s.max_open_connections},
      {"in_flight", s.in_flight},
      {"max_in_flight", s.max_in_flight},
      {"connections_total", s.connections_total},
      {"requests_total", s.requests_total},
      {"by_status", by_status},
      {"client_left", s.client_left},
      {"violations", s.violations},
      {"suspended", s.suspended},
      {"suspended_remaining_ms", s.suspended_remaining_ms},
      {"faults", faults},
  };
  return j.dump();
}

Counters::Counters(int cap, bool suspend, std::chrono::milliseconds suspend_for, const Clock* clock)
    : suspend_(suspend), suspend_for_(suspend_for), clock_(clock ? clock : &system_clock_) {
  stats_.cap = cap;
}

void Counters::violated() {
  ++stats_.violations;
  if (suspend_) {
    suspended_for_good_ = true;
  } else if (suspend_for_.count() > 0) {
    suspended_until_ms_ = std::max(suspended_until_ms_, clock_->steady_ms() + suspend_for_.count());
  }
}

int64_t Counters::remaining_ms() const {
  if (suspended_for_good_) return -1;
  return std::max<int64_t>(0, suspended_until_ms_ - clock_->steady_ms());
}

void Counters::connection_opened() {
  std::lock_guard lock(mu_);
  ++stats_.connections_total;
  ++stats_.open_connections;
  stats_.max_open_connections = std::max(stats_.max_open_connections, stats_.open_connections);
  if (stats_.cap > 0 && stats_.open_connections > stats_.cap) violated();
}

void Counters::connection_closed() {
  std::lock_guard lock(mu_);
  --stats_.open_connections;
}

void Counters::request_started() {
  std::lock_guard lock(mu_);
  ++stats_.requests_total;
  ++stats_.in_flight;
  stats_.max_in_flight = std::max(stats_.max_in_flight, stats_.in_flight);
  if (stats_.cap > 0 && stats_.in_flight > stats_.cap) violated();
}

void Counters::request_finished() {
  std::lock_guard lock(mu_);
  --stats_.in_flight;
}

void Counters::response_written(int status) {
  std::lock_guard lock(mu_);
  ++stats_.by_status[status];
}

void Counters::client_left() {
  std::lock_guard lock(mu_);
  ++stats_.client_left;
}

void Counters::declare_fault(std::string_view rule) {
  std::lock_guard lock(mu_);
  stats_.faults.try_emplace(std::string(rule), 0);
}

void Counters::fault_taken(std::string_view rule) {
  std::lock_guard lock(mu_);
  ++stats_.faults[std::string(rule)];
}

int64_t Counters::count_get(std::string_view path) {
  std::lock_guard lock(mu_);
  return gets_.count(path);
}

int64_t Counters::next_get(std::string_view path) const {
  std::lock_guard lock(mu_);
  return gets_.next(path);
}

void Counters::suspend_for(std::chrono::milliseconds d) {
  std::lock_guard lock(mu_);
  if (d.count() <= 0) {
    suspended_for_good_ = false;
    suspended_until_ms_ = 0;
    return;
  }
  suspended_until_ms_ = std::max(suspended_until_ms_, clock_->steady_ms() + d.count());
}

bool Counters::suspended() const {
  std::lock_guard lock(mu_);
  return remaining_ms() != 0;
}

ProviderStats Counters::snapshot() const {
  std::lock_guard lock(mu_);
  ProviderStats s = stats_;
  s.suspended_remaining_ms = remaining_ms();
  s.suspended = s.suspended_remaining_ms != 0;
  return s;
}

void Counters::reset() {
  std::lock_guard lock(mu_);
  stats_.max_open_connections = stats_.open_connections;
  stats_.max_in_flight = stats_.in_flight;
  stats_.connections_total = 0;
  stats_.requests_total = 0;
  stats_.by_status.clear();
  stats_.client_left = 0;
  stats_.violations = 0;
  for (auto& [rule, n] : stats_.faults) n = 0;
  suspended_for_good_ = false;
  suspended_until_ms_ = 0;
  gets_.clear();
}

CountedConnection::CountedConnection(Counters* counters) : counters_(counters) {
  if (counters_) counters_->connection_opened();
}

void CountedConnection::release() {
  if (counters_) counters_->connection_closed();
  counters_ = nullptr;
}

void CountedRequest::start(Counters* counters) {
  finish();
  counters_ = counters;
  if (counters_) counters_->request_started();
}

void CountedRequest::finish() {
  if (counters_) counters_->request_finished();
  counters_ = nullptr;
}

}  // namespace sluice
