// What the provider counts about its main port: open connections, requests in flight,
// their maxima, and violations of the cap. The loop thread counts; any thread may read.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

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
  int64_t violations = 0;
  bool suspended = false;
};

// {"cap":..,"open_connections":..,...,"by_status":{"200":n},"violations":..,"suspended":..}
std::string stats_json(const ProviderStats& stats);

class Counters {
 public:
  Counters(int cap, bool suspend);

  // A connection was accepted (a violation if it makes open connections exceed the cap).
  void connection_opened();
  void connection_closed();
  // A request's header was read (a violation if in-flight requests now exceed the cap).
  void request_started();
  void request_finished();
  void response_written(int status);

  bool suspended() const;
  ProviderStats snapshot() const;
  // Maxima back to the current values; totals, violations and suspension cleared.
  void reset();

 private:
  void violated();  // mu_ held

  const bool suspend_;
  mutable std::mutex mu_;
  ProviderStats stats_;  // guarded by mu_
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
