// Several fetch loops behind one Fetcher, so libcurl's work spreads over more than one CPU
// (`run --fetch-threads N`). Each loop is a fetcher of its own (a CurlFetcher: its own multi
// handle, connection cache and easy handles). Loop 0, the home loop, runs on the owner's
// thread inside wait(), as a single CurlFetcher would; loops 1..N-1 are lanes
// (fetch_lane.h), each on a thread of its own, whose results wake the home loop.
//
// Which loop a request goes to: each loop has a share of every host's cap, and one with an
// idle connection to the host comes first (loop_choice.h). Connections are not shared
// between loops (libcurl cannot share a connection cache between threads); the shares make
// sure no loop is refused a socket because another holds the host's idle connections.
//
// Threads: the owner's thread (the engine's) calls everything but wakeup(), which any thread
// may call. The observer is called from every loop's thread (fetch_lane.h).
// Teardown: the destructor stops and joins every lane, then destroys the fetchers, whose
// cached connections close then (reported to the observer, which must outlive this).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "fetch/fetch_lane.h"
#include "fetch/fetcher.h"
#include "fetch/lane_observer.h"
#include "util/thread_annotations.h"

namespace sluice {

class ParallelFetcher final : public Fetcher {
 public:
  // The hard cap on connections to host_key ("host:port"): HostLimits::cap_for.
  using HostCap = std::function<int(const std::string& host_key)>;

  // loops >= 1 fetch loops, each a fetcher from make (given the loop's observer, which
  // forwards to observer). Throws what make throws.
  ParallelFetcher(size_t loops, const FetchLane::MakeFetcher& make, ConnectionObserver* observer,
                  HostCap cap);
  ~ParallelFetcher() override;
  ParallelFetcher(const ParallelFetcher&) = delete;
  ParallelFetcher& operator=(const ParallelFetcher&) = delete;

  void start(FetchRequest req) override;
  std::vector<FetchResult> wait(std::chrono::milliseconds max_wait) override;
  void wakeup() override { home_->wakeup(); }
  size_t in_flight() const override { return routes_.size(); }
  // Every loop's cancel_all(), one after the other; the cut results are back in the next
  // wait() when this returns.
  void cancel_all() override;
  bool close_idle_connections() override;

  size_t loops() const { return 1 + lanes_.size(); }
  // The loop host_key's next request would go to (what start() picks), for tests.
  size_t pick(const std::string& host_key) const;

 private:
  struct Load {  // a host's requests in flight, per loop
    std::vector<int> in_flight;
    int cap = 1;
  };
  using Loads = std::unordered_map<std::string, Load>;  // hosts with requests in flight
  struct Route {   // a request started and not yet returned by wait()
    uint64_t tag;  // the caller's
    size_t loop;
    Loads::value_type* host;  // its host's entry: stays put until the host has none in flight
  };
  Load fresh_load(const std::string& host_key) const;
  size_t choose(const std::string& host_key, const Load& load) const;
  int open_to(size_t loop, const std::string& host_key) const;
  // Hands lane results to wait(). Returns whether ready_ was empty before.
  bool take(std::vector<FetchResult> results);

  HostCap cap_;
  // The owner's thread only.
  std::unordered_map<uint64_t, Route> routes_;  // by the tag the loop was given
  Loads loads_;
  uint64_t next_tag_ = 1;

  // Before the lanes, which call into them until they are gone.
  LaneObserver home_observer_;
  std::unique_ptr<Fetcher> home_;  // loop 0, driven by wait(); the lanes wake it
  std::mutex mu_;
  std::vector<FetchResult> ready_ GUARDED_BY(mu_);  // from the lanes, not yet returned
  std::vector<std::unique_ptr<FetchLane>> lanes_;   // loops 1..
};

}  // namespace sluice
