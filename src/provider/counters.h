// What the provider counts about its main port: open connections, requests in flight,
// their maxima, violations of the cap, responses by status, requests each fault rule took;
// and whether the account is suspended. The loop thread counts; any thread may read.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "provider/path_counts.h"
#include "util/clock.h"

namespace sluice {

struct ProviderStats {
  int cap = 0;
  int64_t open_connections = 0;
  int64_t max_open_connections = 0;
  int64_t in_flight = 0;
  int64_t max_in_flight = 0;
  int64_t connections_total = 0;
  int64_t requests_total = 0;
  std::map<int, int64_t> by_status;  // responses fully written, by status code
  int64_t client_left = 0;           // requests whose client left before the whole response
  int64_t violations = 0;
  bool suspended = false;
  int64_t suspended_remaining_ms = 0;     // -1: until reset; 0: not suspended
  std::map<std::string, int64_t> faults;  // requests each fault rule took, by rule name
};

// {"cap":..,"open_connections":..,...,"by_status":{"200":n},"violations":..,"suspended":..,
//  "suspended_remaining_ms":..,"faults":{"reset":n,...}}
std::string stats_json(const ProviderStats& stats);

class Counters {
 public:
  // A violation suspends the account until reset when `suspend`, else for `suspend_for`
  // when that is positive. `clock` (null: the system clock) outlives the counters.
  Counters(int cap, bool suspend, std::chrono::milliseconds suspend_for = {},
           const Clock* clock = nullptr);

  // A connection was accepted (a violation if it makes open connections exceed the cap).
  void connection_opened();
  void connection_closed();
  // A request's header was read (a violation if in-flight requests now exceed the cap).
  void request_started();
  void request_finished();
  void response_written(int status);
  // The client of a request in flight closed or reset its connection.
  void client_left();
  // Names a fault rule, so /__stats lists it (as 0) before it first fires.
  void declare_fault(std::string_view rule);
  void fault_taken(std::string_view rule);
  // Counts one more GET of an image path and returns its n; the n of its next GET.
  int64_t count_get(std::string_view path);
  int64_t next_get(std::string_view path) const;

  // Suspends the account for `d` from now, violation or not (POST /__suspend); a longer
  // suspension already running is kept. A zero `d` lifts any suspension, even one until reset.
  void suspend_for(std::chrono::milliseconds d);
  bool suspended() const;
  ProviderStats snapshot() const;
  // Maxima back to the current values; totals, violations, fault counts, GETs per path and
  // suspension cleared.
  void reset();

 private:
  void violated();               // mu_ held
  int64_t remaining_ms() const;  // mu_ held

  const bool suspend_;
  const std::chrono::milliseconds suspend_for_;
  SystemClock system_clock_;
  const Clock* clock_;
  mutable std::mutex mu_;
  ProviderStats stats_;              // guarded by mu_; its suspended fields are computed
  bool suspended_for_good_ = false;  // guarded by mu_
  int64_t suspended_until_ms_ = 0;   // guarded by mu_; on clock_->steady_ms()
  PathCounts gets_;                  // guarded by mu_
};

// A counted connection, from accept to close. Counts nothing when given no Counters.
class CountedConnection {
 public:
  explicit CountedConnection(Counters* counters);
  ~CountedConnection() { release(); }
  CountedConnection(const CountedConnection&) = delete;
  CountedConnection& operator=(const CountedConnection&) = delete;
  void release();

 private:
  Counters* counters_;
};

// A counted request, from its header read to its response written (or the connection lost).
class CountedRequest {
 public:
  CountedRequest() = default;
  ~CountedRequest() { finish(); }
  CountedRequest(const CountedRequest&) = delete;
  CountedRequest& operator=(const CountedRequest&) = delete;
  void start(Counters* counters);
  void finish();

 private:
  Counters* counters_ = nullptr;
};

}  // namespace sluice
