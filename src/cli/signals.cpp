#include "cli/signals.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

namespace sluice {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);  // internal: wakes the watcher so it can exit
  return set;
}

}  // namespace

SignalWatcher::SignalWatcher() {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalWatcher::Subscription SignalWatcher::start(std::function<void(int)> on_first) {
  {
    std::lock_guard lock(mu_);
    on_first_ = std::move(on_first);
  }
  if (!started_) {
    started_ = true;
    thread_ = std::thread([this] { loop(); });
  }
  return Subscription(this);
}

void SignalWatcher::loop() {
  sigset_t set = stop_signals();
  int count = 0;
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGUSR2) return;
    if (++count == 1) {
      std::fprintf(stderr,
                   "\nsluice: %s: stopping (in-flight downloads may finish; "
                   "send it again to exit at once)\n",
                   sig == SIGINT ? "SIGINT" : "SIGTERM");
      {
        std::lock_guard lock(mu_);  // the subscriber cannot go while its callback runs
        if (on_first_) on_first_(sig);
      }
      seen_ = count;  // after the callback: a test may look at its effects then
    } else {
      std::fprintf(stderr,
                   "\nsluice: second signal: exiting now; leased jobs are "
                   "reclaimed by the next run\n");
      _exit(128 + sig);
    }
  }
}

void SignalWatcher::detach() {
  std::function<void(int)> old;
  {
    std::lock_guard lock(mu_);  // waits for a call in progress
    old = std::exchange(on_first_, nullptr);
  }
}

SignalWatcher::Subscription::~Subscription() {
  if (watcher_) watcher_->detach();
}

SignalWatcher::~SignalWatcher() {
  if (started_) {
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
  }
}

}  // namespace sluice
