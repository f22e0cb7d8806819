// The observer between one fetch loop and the gate's: forwards every call, and counts the
// loop's open connections per host, so that ParallelFetcher can send a request to the loop
// where an idle connection to its host waits (a connection belongs to one loop: libcurl
// cannot share a connection cache between threads).
// Threads: any; open_to() locks (the loop's thread counts, the engine's reads).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "fetch/fetcher.h"
#include "util/thread_annotations.h"

namespace sluice {

class LaneObserver final : public ConnectionObserver {
 public:
  // upstream may be null (count here only); it must outlive this.
  explicit LaneObserver(ConnectionObserver* upstream) : upstream_(upstream) {}
  bool connection_opening(const std::string& host_key) override;
  void connection_closed(const std::string& host_key) override;
  bool may_send(const std::string& host_key) override;
  // Connections to host_key open now (in use or idle), that the upstream let open.
  int open_to(const std::string& host_key) const;

 private:
  ConnectionObserver* upstream_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int> open_ GUARDED_BY(mu_);
};

}  // namespace sluice
