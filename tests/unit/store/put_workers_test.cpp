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

// The caller sleeps until notified and then takes what is there, as the engine does: no
// result may be left waiting without a notification after it, however the puts and the
// takes interleave; and a batch that waits together is announced once, not per result.
TEST(PutWorkers, RunsEveryPutAndNotifiesWhenResultsAreWaiting) {
  std::mutex mu;
  std::condition_variable cv;
  int notified = 0;
  {
    PutWorkers workers(3, [](const PutRequest& r) {
      return PutResult{0, r.tag % 2 ? Status() : Status(make_error(Reason::store_io, "even"))};
    });
    workers.set_notifier([&] {
      std::lock_guard lock(mu);
      ++notified;
      cv.notify_all();
    });
    constexpr uint64_t kPuts = 200;
    for (uint64_t tag = 1; tag <= kPuts; ++tag) {
      workers.submit(PutRequest{tag, {}, {}, {}, {}, 0, {}});
    }
    size_t taken = 0, failed = 0;
    int seen = 0;
    while (taken < kPuts) {
      {
        std::unique_lock lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return notified > seen; }))
            << "results waiting without a notification; taken " << taken;
        seen = notified;
      }
      for (const auto& r : workers.take_results()) {
        ++taken;
        failed += r.status.ok() ? 0 : 1;
      }
    }
    EXPECT_EQ(taken, kPuts);
    EXPECT_EQ(failed, kPuts / 2);
    EXPECT_EQ(workers.pending(), 0u);
    std::lock_guard lock(mu);
    EXPECT_LE(notified, static_cast<int>(kPuts));
  }
}

// Two workers, one of them stuck in put 1 (a slow disk) and the other asleep: the state
// the wake-up rules are about. Releases the stuck put at the end of the test.
class StuckWorker {
 public:
  explicit StuckWorker(std::chrono::milliseconds stall)
      : workers_(
            2,
            [this](const PutRequest& r) {
              if (r.tag == 1) {
                stuck_ = true;
                std::unique_lock lock(mu_);
                cv_.wait_for(lock, 20s, [&] { return release_; });
              }
              ++done_;
              return PutResult{};
            },
            stall) {}
  ~StuckWorker() {
    {
      std::lock_guard lock(mu_);
      release_ = true;
    }
    cv_.notify_all();
  }
  // Submits put 1 and waits until a worker holds it and the other sleeps.
  bool stick() {
    workers_.submit(PutRequest{1, {}, {}, {}, {}, 0, {}});
    for (auto until = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < until;) {
      if (stuck_ && workers_.sleeping() == 1) return true;
      std::this_thread::yield();
    }
    return false;
  }
  void submit(uint64_t tag) { workers_.submit(PutRequest{tag, {}, {}, {}, {}, 0, {}}); }
  // Waits until n puts are done; with take, calls take_results() meanwhile (as the engine's
  // turns do).
  int wait_done(int n, bool take) {
    for (auto until = std::chrono::steady_clock::now() + 10s;
         done_.load() < n && std::chrono::steady_clock::now() < until;) {
      if (take) (void)workers_.take_results();
      std::this_thread::yield();
    }
    return done_.load();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool release_ = false;
  std::atomic<bool> stuck_{false};
  std::atomic<int> done_{0};
  PutWorkers workers_;  // last: its threads stop before what they use goes
};

// A fast disk is served by one worker; more than kBacklogPerWorker puts waiting behind an
// awake one wake another at once. (No stall rule here: it would wake one too, at its time.)
TEST(PutWorkers, ABacklogWakesAnotherWorker) {
  StuckWorker w(std::chrono::hours(1));
  ASSERT_TRUE(w.stick());
  const int behind = static_cast<int>(PutWorkers::kBacklogPerWorker) + 1;
  for (int i = 0; i < behind; ++i) w.submit(static_cast<uint64_t>(10 + i));
  EXPECT_EQ(w.wait_done(behind, false), behind) << "a backlog waited behind the stuck put";
}

// Fewer than the backlog behind a stuck put wait no longer than kStallMs and the caller's
// next take_results().
TEST(PutWorkers, AStalledPutWakesAnotherWorkerAtTheNextTake) {
  StuckWorker w(PutWorkers::kStallMs);
  ASSERT_TRUE(w.stick());
  w.submit(2);
  w.submit(3);
  EXPECT_EQ(w.wait_done(2, true), 2) << "the puts behind the stuck one waited";
}

TEST(PutWorkers, EachResultAfterATakeNotifiesAgain) {
  std::mutex mu;
  std::condition_variable cv;
  int notified = 0;
  PutWorkers workers(1, [](const PutRequest&) { return PutResult{}; });
  workers.set_notifier([&] {
    std::lock_guard lock(mu);
    ++notified;
    cv.notify_all();
  });
  for (uint64_t tag = 1; tag <= 3; ++tag) {
    workers.submit(PutRequest{tag, {}, {}, {}, {}, 0, {}});
    {
      std::unique_lock lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return notified == static_cast<int>(tag); }))
          << "no wake-up for put " << tag << " after the caller took the others";
    }
    auto results = workers.take_results();
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].tag, tag);
  }
  workers.set_notifier(nullptr);
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
  PutWorkers workers(1, [](const PutRequest&) { return PutResult{}; });
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
