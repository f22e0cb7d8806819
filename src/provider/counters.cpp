#include "provider/counters.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sluice {

std::string stats_json(const ProviderStats& s) {
  nlohmann::ordered_json by_status = nlohmann::ordered_json::object();
  for (const auto& [status, n] : s.by_status) by_status[std::to_string(status)] = n;
  nlohmann::ordered_json j = {
      {"cap", s.cap},
      {"open_connections", s.open_connections},
      {"max_open_connections", s.max_open_connections},
      {"in_flight", s.in_flight},
      {"max_in_flight", s.max_in_flight},
      {"connections_total", s.connections_total},
      {"requests_total", s.requests_total},
      {"by_status", by_status},
      {"violations", s.violations},
      {"suspended", s.suspended},
  };
  return j.dump();
}

Counters::Counters(int cap, bool suspend) : suspend_(suspend) { stats_.cap = cap; }

void Counters::violated() {
  ++stats_.violations;
  if (suspend_) stats_.suspended = true;
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

bool Counters::suspended() const {
  std::lock_guard lock(mu_);
  return stats_.suspended;
}

ProviderStats Counters::snapshot() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Counters::reset() {
  std::lock_guard lock(mu_);
  stats_.max_open_connections = stats_.open_connections;
  stats_.max_in_flight = stats_.in_flight;
  stats_.connections_total = 0;
  stats_.requests_total = 0;
  stats_.by_status.clear();
  stats_.violations = 0;
  stats_.suspended = false;
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
