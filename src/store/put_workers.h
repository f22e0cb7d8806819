// A few threads that run blocking puts (fsync, rename) off the event loop, so one slow
// disk flush never stalls downloads.
//
// A put wakes a sleeping worker only when no worker is awake, when the awake ones have
// more than kBacklogPerWorker puts each waiting, or when no put has started or ended for
// kStallMs while some wait (checked by submit() and take_results(), which the engine calls
// every turn). So a fast disk is served by one worker taking the puts in turn (no thread
// hand-off, no futex per put), a slow one by as many as the backlog calls for, and a stuck
// put holds the others back at most kStallMs and the caller's next turn (the engine's idle
// loop turns at least once per progress interval, 1 s by default; a busy one far more
// often).
//
// Results are collected for Store::poll(); a notifier (the engine wakes its loop with it)
// runs when a result arrives while none were waiting (so once per batch that
// take_results() collects), on the worker thread, under notify_mu_: set_notifier() waits
// for a call in progress, so once it returns the old notifier never runs again
// (Store::set_notifier's teardown contract).
// Every public member may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"
#include "util/thread_annotations.h"

namespace sluice {

class PutWorkers {
 public:
  using Work = std::function<PutResult(const PutRequest&)>;  // tag: filled in here
  static constexpr size_t kBacklogPerWorker = 16;
  static constexpr std::chrono::milliseconds kStallMs{10};

  // stall: see above (kStallMs; tests set their own).
  PutWorkers(int threads, Work work, std::chrono::milliseconds stall = kStallMs);
  ~PutWorkers();  // finishes queued puts, then joins
  PutWorkers(const PutWorkers&) = delete;
  PutWorkers& operator=(const PutWorkers&) = delete;

  void submit(PutRequest req);
  std::vector<PutResult> take_results();
  size_t pending() const;   // submitted and not yet taken
  size_t sleeping() const;  // workers waiting for a wake-up (for tests)
  void set_notifier(std::function<void()> fn);

 private:
  void loop();

  void notify() EXCLUDES(mu_, notify_mu_);
  // Whether to wake a sleeping worker now (see above); if so, counts it awake.
  bool take_wake() REQUIRES(mu_);

  Work work_;
  const std::chrono::milliseconds stall_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PutRequest> todo_ GUARDED_BY(mu_);
  std::vector<PutResult> results_ GUARDED_BY(mu_);
  size_t pending_ GUARDED_BY(mu_) = 0;
  // Workers asleep (idle_; the other workers of count_ are running or woken), and wake-ups
  // handed to sleepers and not yet taken (wakes_): a sleeper leaves its wait only for one
  // of these or to stop.
  const size_t count_;
  size_t idle_ GUARDED_BY(mu_) = 0;
  size_t wakes_ GUARDED_BY(mu_) = 0;
  std::chrono::steady_clock::time_point progress_ GUARDED_BY(mu_);  // last put taken or ended
  bool stopping_ GUARDED_BY(mu_) = false;
  // Held while the notifier runs, and to replace it; never together with mu_.
  std::mutex notify_mu_;
  std::function<void()> notify_ GUARDED_BY(notify_mu_);
  std::vector<std::thread> threads_;  // started in the constructor, joined in the destructor
};

}  // namespace sluice
