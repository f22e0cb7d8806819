// SIGINT/SIGTERM handling for `sluice run`: the first signal asks for a graceful stop,
// the second exits at once (safe: objects are written atomically, leases are reclaimed).
// Signals are blocked in every thread and taken by one sigwait() thread, so no work
// happens in a signal handler.
//
// Ownership and teardown. The watcher thread calls the callback given to start() only
// while the Subscription start() returned is alive: its destructor waits for a call in
// progress and detaches the callback, so from then on the callback never runs. Declare
// the Subscription after everything its callback uses (cmd_run: after the Engine), so it
// goes first. The SignalWatcher itself must live longer than any thread it blocks signals
// for; declare it first. A first signal that comes when no callback is attached is still
// announced (and counted), and a second one still exits.
#pragma once

#include <pthread.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "util/thread_annotations.h"

namespace sluice {

class SignalWatcher {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread (and threads it starts later).
  SignalWatcher();
  // Stops and joins the watcher thread.
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Keeps the callback attached while alive (see the top of this file).
  class [[nodiscard]] Subscription {
   public:
    explicit Subscription(SignalWatcher* watcher) : watcher_(watcher) {}
    Subscription(Subscription&& other) noexcept : watcher_(other.watcher_) {
      other.watcher_ = nullptr;
    }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    Subscription& operator=(Subscription&&) = delete;
    ~Subscription();

   private:
    SignalWatcher* watcher_;
  };

  // Starts the watcher thread (once); on_first runs on it when the first signal arrives,
  // while the returned Subscription lives.
  Subscription start(std::function<void(int)> on_first);

  // SIGINT/SIGTERM taken so far (for tests and the exit path).
  int signals_seen() const { return seen_.load(); }
  // The watcher thread, so a test can direct a signal at it alone (pthread_kill).
  pthread_t native_handle() { return thread_.native_handle(); }

 private:
  void detach();
  void loop();

  std::mutex mu_;  // held while the callback runs, and to detach it
  std::function<void(int)> on_first_ GUARDED_BY(mu_);
  std::atomic<int> seen_{0};
  std::thread thread_;
  bool started_ = false;  // the constructing thread's
};

}  // namespace sluice
