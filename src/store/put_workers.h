// A few threads that run blocking puts (fsync, rename) off the event loop, so one slow
// disk flush never stalls downloads. Results are collected for Store::poll(); a
// notifier (the engine wakes its loop with it) runs after each one.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace sluice {

class PutWorkers {
 public:
  using Work = std::function<Status(const PutRequest&)>;
  PutWorkers(int threads, Work work);
  ~PutWorkers();  // finishes queued puts, then joins
  PutWorkers(const PutWorkers&) = delete;
  PutWorkers& operator=(const PutWorkers&) = delete;

  void submit(PutRequest req);
  std::vector<PutResult> take_results();
  size_t pending() const;  // submitted and not yet taken
  void set_notifier(std::function<void()> fn);

 private:
  void loop();

  Work work_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PutRequest> todo_;     // GUARDED_BY(mu_)
  std::vector<PutResult> results_;  // GUARDED_BY(mu_)
  size_t pending_ = 0;              // GUARDED_BY(mu_)
  bool stopping_ = false;           // GUARDED_BY(mu_)
  std::function<void()> notify_;    // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace sluice
