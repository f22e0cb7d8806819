// SIGINT/SIGTERM handling for `sluice run`: the first signal asks for a graceful stop,
// the second exits at once (safe: objects are written atomically, leases are reclaimed).
// Signals are blocked in every thread and taken by one sigwait() thread, so no work
// happens in a signal handler.
#pragma once

#include <functional>
#include <thread>

namespace sluice {

class SignalWatcher {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread (and threads it starts later).
  SignalWatcher();
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Starts the watcher thread; on_first runs on it when the first signal arrives.
  void start(std::function<void(int)> on_first);

 private:
  std::thread thread_;
  bool started_ = false;
};

}  // namespace sluice
