#include "cli/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>

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

void SignalWatcher::start(std::function<void(int)> on_first) {
  started_ = true;
  thread_ = std::thread([on_first = std::move(on_first)]() {
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
        on_first(sig);
      } else {
        std::fprintf(stderr,
                     "\nsluice: second signal: exiting now; leased jobs are "
                     "reclaimed by the next run\n");
        _exit(128 + sig);
      }
    }
  });
}

SignalWatcher::~SignalWatcher() {
  if (started_) {
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
  }
}

}  // namespace sluice
