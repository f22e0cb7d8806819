// One fetch loop on a thread of its own: a Fetcher (CurlFetcher) that only this lane's
// thread drives, fed requests and commands by the thread that owns the lane (the engine's,
// through ParallelFetcher) and handing every result to a sink.
//
// The lane counts, per host, the connections its fetcher has open now (lane_observer.h), so
// the owner can send a request where an idle connection waits for it (open_to()).
//
// Threads: post(), run() and open_to() may be called from any thread; the sink and
// the observer are called on the lane's thread (and, for the closes of the fetcher's
// connections, on the thread that destroys the lane). The observer must therefore be safe
// to call from several threads (both gates lock every call).
// Teardown: the destructor stops the thread and joins it, then destroys the fetcher (whose
// cached connections close then, reported to the observer): the sink may run until the
// thread is joined, never after; the observer must outlive the lane.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fetch/fetcher.h"
#include "fetch/lane_observer.h"
#include "util/thread_annotations.h"

namespace sluice {

class FetchLane {
 public:
  // Makes the lane's fetcher, which must report its connections to observer (the lane's).
  using MakeFetcher = std::function<std::unique_ptr<Fetcher>(ConnectionObserver* observer)>;
  // Takes the results of one wait() of the lane's fetcher (never empty).
  using Sink = std::function<void(std::vector<FetchResult> results)>;

  // observer may be null (count nothing upstream). Starts the thread. Throws whatever make
  // throws (a start-up failure), before any thread runs.
  FetchLane(const MakeFetcher& make, ConnectionObserver* observer, Sink sink);
  ~FetchLane();
  FetchLane(const FetchLane&) = delete;
  FetchLane& operator=(const FetchLane&) = delete;

  // Hands a request to the lane; its thread starts it at its next turn (woken at once).
  void post(FetchRequest req);
  // Runs task on the lane's thread with its fetcher, after the requests posted before,
  // and returns when it is done. An exception the task throws is rethrown here.
  void run(const std::function<void(Fetcher&)>& task);
  // Connections to host_key the lane's fetcher has open now (in use or idle).
  int open_to(const std::string& host_key) const;

 private:
  struct Task {
    const std::function<void(Fetcher&)>* fn;
    bool done = false;
    std::exception_ptr error;
  };

  void loop();

  LaneObserver counter_;
  Sink sink_;
  std::unique_ptr<Fetcher> fetcher_;  // driven on thread_ only, while it runs

  std::mutex mu_;
  std::condition_variable done_cv_;  // a task is done
  std::vector<FetchRequest> inbox_ GUARDED_BY(mu_);
  std::vector<Task*> tasks_ GUARDED_BY(mu_);
  bool woken_ GUARDED_BY(mu_) = false;  // a wakeup is pending since the last turn took the inbox
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts once everything above is made
};

}  // namespace sluice
