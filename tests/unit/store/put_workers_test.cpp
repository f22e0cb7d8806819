// PutWorkers: puts run on worker threads, results wait for take_results(), and the
// notifier keeps Store::set_notifier's teardown contract.
#include "store/put_workers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

namespace sluice {
namespace {

using namespace std::chrono_literals;

TEST(PutWorkers, RunsEveryPutAndNotifiesAfterEach) {
  std::atomic<int> notified{0};
  std::promise<void> all_done;
  {
    PutWorkers workers(3, [](const PutRequest& r) {
      return r.tag % 2 ? Status() : Status(make_error(Reason::store_io, "even"));
    });
    workers.set_notifier([&] {
      if (++notified == 10) all_done.set_value();
    });
    for (uint64_t tag = 1; tag <= 10; ++tag) workers.submit(PutRequest{tag, {}, {}, {}, {}, 0, {}});
    ASSERT_EQ(all_done.get_future().wait_for(10s), std::future_status::ready);
    auto results = workers.take_results();
    ASSERT_EQ(results.size(), 10u);
    int failed = 0;
    for (const auto& r : results) failed += r.status.ok() ? 0 : 1;
    EXPECT_EQ(failed, 5);
    EXPECT_EQ(workers.pending(), 0u);
  }
  EXPECT_EQ(notified.load(), 10);
}

// Regression: a worker copied the notifier under the lock and called it after letting go,
// so set_notifier(nullptr) could return while the old notifier was still running (or had
// yet to run), and the engine it woke was then destroyed under it: a use-after-free at
// teardown. Now set_notifier waits for a call in progress, and the old notifier never
// runs after it returns.
TEST(PutWorkers, SetNotifierWaitsForACallInProgressAndEndsTheCalls) {
  // What the notifier refers to (the engine, in sluice run): freed once set_notifier
  // returns, as its owner may do.
  auto target = std::make_unique<std::atomic<int>>(0);
  std::mutex mu;
  std::condition_variable cv;
  bool in_call = false, release = false;
  PutWorkers workers(1, [](const PutRequest&) { return Status(); });
  workers.set_notifier([&, obj = target.get()] {
    {
      std::unique_lock lock(mu);
      in_call = true;
      cv.notify_all();
      cv.wait_for(lock, 10s, [&] { return release; });
    }
    ++*obj;  // uses what it refers to after a while, as a real wakeup does
  });
  workers.submit(PutRequest{1, {}, {}, {}, {}, 0, {}});
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return in_call; }));
  }
  // The notifier is running. Detach it from another thread, as the engine does at the
  // end of run(), and free its target as soon as that returns.
  std::atomic<bool> calling{false}, detached{false};
  std::thread detacher([&] {
    calling = true;
    workers.set_notifier(nullptr);
    detached = true;
    target.reset();
  });
  for (auto until = std::chrono::steady_clock::now() + 10s;
       !calling && std::chrono::steady_clock::now() < until;) {
    std::this_thread::yield();
  }
  // A bounded look for the wrong order: set_notifier must not return while the call runs.
  bool returned_early = false;
  for (auto until = std::chrono::steady_clock::now() + 300ms;
       std::chrono::steady_clock::now() < until && !returned_early;) {
    returned_early = detached.load();
    std::this_thread::yield();
  }
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  detacher.join();
  EXPECT_FALSE(returned_early) << "set_notifier(nullptr) returned while the notifier ran";
  EXPECT_TRUE(detached.load());
}

}  // namespace
}  // namespace sluice
