// SignalWatcher: the first SIGINT/SIGTERM calls the subscriber on the watcher thread, and
// never after its Subscription is dropped (signals.h, "Ownership and teardown").
#include "cli/signals.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace sluice {
namespace {

// A bounded wait for the watcher to have taken n signals.
bool wait_seen(const SignalWatcher& w, int n) {
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       std::chrono::steady_clock::now() < until;) {
    if (w.signals_seen() >= n) return true;
    std::this_thread::yield();
  }
  return false;
}

TEST(SignalWatcher, TheFirstSignalCallsTheSubscriberOnce) {
  SignalWatcher watcher;  // first: blocks the signals before any thread starts
  std::atomic<int> got{0}, calls{0};
  auto subscription = watcher.start([&](int sig) {
    got = sig;
    ++calls;
  });
  // Directed at the watcher thread, which alone waits for it.
  ASSERT_EQ(::pthread_kill(watcher.native_handle(), SIGTERM), 0);
  ASSERT_TRUE(wait_seen(watcher, 1));
  EXPECT_EQ(got.load(), SIGTERM);
  EXPECT_EQ(calls.load(), 1);
}

// Regression: the watcher kept its callback, which refers to the engine, until the
// watcher itself was destroyed, after the engine: a signal during `sluice run`'s teardown
// called request_stop() on a destroyed engine. The subscription now ends the calls.
TEST(SignalWatcher, NoCallAfterTheSubscriptionIsDropped) {
  SignalWatcher watcher;
  std::atomic<int> calls{0};
  auto engine = std::make_unique<std::atomic<bool>>(false);  // stands for the Engine
  {
    auto subscription = watcher.start([&calls, stop = engine.get()](int) {
      ++calls;
      stop->store(true);  // what request_stop() does: writes into the engine
    });
  }
  engine.reset();  // the engine goes after its subscription, as in cmd_run
  ASSERT_EQ(::pthread_kill(watcher.native_handle(), SIGINT), 0);
  ASSERT_TRUE(wait_seen(watcher, 1));
  EXPECT_EQ(calls.load(), 0) << "the callback ran after its subscription was dropped";
}

}  // namespace
}  // namespace sluice
