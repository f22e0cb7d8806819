// ParallelFetcher: several CurlFetcher loops, one on the caller's thread and the others on
// threads of their own, behind one Fetcher; a host's cap split between them; the observer
// called from every loop's thread; cancel_all, close_idle_connections and wakeup.
#include "fetch/parallel_fetcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "fetch/curl_fetcher.h"
#include "fetch/test_support.h"

namespace sluice {
namespace {

using namespace sluice::testing;
using std::chrono::milliseconds;

// The gate's fence, as the provider would want it: at most cap connections open to a host,
// counted from every thread; a socket over it is refused (and counted as such).
class FenceObserver final : public ConnectionObserver {
 public:
  explicit FenceObserver(int cap) : cap_(cap) {}
  bool connection_opening(const std::string&) override {
    std::lock_guard lock(mu_);
    threads_.insert(std::this_thread::get_id());
    if (open_ >= cap_) {
      ++refused_;
      return false;
    }
    max_open_ = std::max(max_open_, ++open_);
    return true;
  }
  void connection_closed(const std::string&) override {
    std::lock_guard lock(mu_);
    --open_;
  }
  int open() const {
    std::lock_guard lock(mu_);
    return open_;
  }
  int refused() const {
    std::lock_guard lock(mu_);
    return refused_;
  }
  int max_open() const {
    std::lock_guard lock(mu_);
    return max_open_;
  }
  size_t threads() const {
    std::lock_guard lock(mu_);
    return threads_.size();
  }

 private:
  const int cap_;
  mutable std::mutex mu_;
  int open_ = 0, refused_ = 0, max_open_ = 0;
  std::set<std::thread::id> threads_;
};

class ParallelFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.http().Get(R"(/img/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(body(std::stoi(req.matches[1])), "image/jpeg");
    });
    hold_.install(server_.http());
    server_.http().set_keep_alive_max_count(100000);  // every close is the fetcher's
    server_.start();
  }

  static std::string body(int i) { return make_body(1000 + 37 * i, i); }

  std::unique_ptr<ParallelFetcher> make(size_t loops, int cap, ConnectionObserver* observer) {
    FetchOptions o = local_options();
    o.max_idle_connections = cap;
    return std::make_unique<ParallelFetcher>(
        loops,
        [o](ConnectionObserver* lane) { return std::make_unique<CurlFetcher>(o, lane, nullptr); },
        observer, [cap](const std::string&) { return cap; });
  }

  FetchRequest request(uint64_t tag, const std::string& path) {
    return FetchRequest{tag, server_.url(path), server_.host_key(),
                        dir_.file(std::to_string(tag) + ".tmp")};
  }

  TestServer server_;
  HoldRoute hold_;  // after the server: releases its requests before it stops
  TempDir dir_;
};

// As the engine drives it: at most cap in flight, a new request for each result. Every
// result comes back once with the caller's tag and the right body; the loops on other
// threads did open connections; the fence never refused one (it refuses what would go over
// the cap, so no refusal is the check that no loop asked for more).
TEST_F(ParallelFetcherTest, ManyTransfersUnderTheCapAcrossThreeLoops) {
  constexpr int kCap = 7, kCount = 150;
  FenceObserver fence(kCap);
  {
    auto f = make(3, kCap, &fence);
    EXPECT_EQ(f->loops(), 3u);
    int started = 0;
    std::set<uint64_t> tags;
    auto start_one = [&] {
      ++started;
      const uint64_t tag = 1000 + static_cast<uint64_t>(started);  // not the loops' own tags
      f->start(request(tag, "/img/" + std::to_string(started)));
    };
    while (started < kCap) start_one();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (tags.size() < size_t{kCount} && std::chrono::steady_clock::now() < deadline) {
      for (FetchResult& r : f->wait(milliseconds(200))) {
        ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
        const int i = static_cast<int>(r.tag - 1000);
        EXPECT_EQ(r.sha256, reference_sha256(body(i))) << i;
        EXPECT_EQ(read_file(r.temp_file), body(i)) << i;
        EXPECT_TRUE(tags.insert(r.tag).second) << "tag " << r.tag << " came back twice";
        if (started < kCount) start_one();
      }
      EXPECT_LE(f->in_flight(), size_t{kCap});
    }
    ASSERT_EQ(tags.size(), size_t{kCount});
    EXPECT_EQ(f->in_flight(), 0u);
    EXPECT_EQ(fence.refused(), 0);
    EXPECT_EQ(fence.threads(), 3u) << "every loop should have opened connections";
  }
  EXPECT_EQ(fence.open(), 0) << "the destructor closes every loop's connections";
}

// A cap of 5 over 2 loops: the first loop takes 3 of the host's requests, the second 2.
// With 5 held, a sixth (over the cap) goes to the least busy loop.
TEST_F(ParallelFetcherTest, EachLoopTakesItsShareOfTheCap) {
  FenceObserver fence(5);
  auto f = make(2, 5, &fence);
  std::vector<size_t> picked;
  for (uint64_t i = 1; i <= 5; ++i) {
    picked.push_back(f->pick(server_.host_key()));
    f->start(request(i, "/hold"));
  }
  ASSERT_TRUE(hold_.until_held(*f, 5));
  EXPECT_EQ(std::count(picked.begin(), picked.end(), 0u), 3);
  EXPECT_EQ(std::count(picked.begin(), picked.end(), 1u), 2);
  EXPECT_EQ(f->pick(server_.host_key()), 1u);
  EXPECT_EQ(fence.threads(), 2u);
  EXPECT_EQ(fence.max_open(), 5);
  hold_.release();
  EXPECT_EQ(drain(*f, 5).size(), 5u);
  EXPECT_EQ(fence.refused(), 0);
}

// A result from a loop on another thread ends the caller's wait() at once, while the home
// loop's own transfer is still held by the server.
TEST_F(ParallelFetcherTest, AResultFromAnotherLoopEndsTheWait) {
  FenceObserver fence(2);
  auto f = make(2, 2, &fence);
  ASSERT_EQ(f->pick(server_.host_key()), 0u);
  f->start(request(1, "/hold"));  // the home loop
  ASSERT_TRUE(hold_.until_held(*f, 1));
  ASSERT_EQ(f->pick(server_.host_key()), 1u);
  f->start(request(2, "/img/2"));  // the other loop
  const auto before = std::chrono::steady_clock::now();
  std::vector<FetchResult> results;
  while (results.empty()) results = f->wait(milliseconds(30'000));
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(20));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].tag, 2u);
  EXPECT_EQ(results[0].error.reason, Reason::ok) << results[0].error.to_string();
  hold_.release();
  EXPECT_EQ(drain(*f, 1).size(), 1u);
}

TEST_F(ParallelFetcherTest, WakeupFromAnotherThreadEndsTheWait) {
  auto f = make(2, 4, nullptr);
  std::atomic<bool> waiting{false};
  std::thread waker([&] {
    while (!waiting) std::this_thread::yield();
    f->wakeup();
  });
  const auto before = std::chrono::steady_clock::now();
  waiting = true;
  EXPECT_TRUE(f->wait(milliseconds(30'000)).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(20));
  waker.join();
}

// cancel_all cuts every loop's transfers: their results are all in the next wait(), and
// every connection is closed when it returns.
TEST_F(ParallelFetcherTest, CancelAllCutsEveryLoopsTransfers) {
  FenceObserver fence(4);
  auto f = make(2, 4, &fence);
  for (uint64_t i = 1; i <= 4; ++i) f->start(request(i, "/hold"));
  ASSERT_TRUE(hold_.until_held(*f, 4));
  EXPECT_EQ(fence.threads(), 2u);
  f->cancel_all();
  EXPECT_EQ(fence.open(), 0);
  EXPECT_EQ(f->in_flight(), 4u);  // until wait() hands the results back
  std::vector<FetchResult> results = f->wait(milliseconds(0));
  ASSERT_EQ(results.size(), 4u);
  std::set<uint64_t> tags;
  for (const FetchResult& r : results) {
    EXPECT_EQ(r.error.reason, Reason::cancelled) << r.error.to_string();
    EXPECT_EQ(r.cut_host, server_.host_key());
    tags.insert(r.tag);
  }
  EXPECT_EQ(tags, (std::set<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(f->in_flight(), 0u);
  hold_.release();
  // Every loop still works afterwards.
  for (uint64_t i = 5; i <= 8; ++i) f->start(request(i, "/img/" + std::to_string(i)));
  for (const FetchResult& r : drain(*f, 4)) EXPECT_EQ(r.error.reason, Reason::ok);
}

TEST_F(ParallelFetcherTest, CloseIdleConnectionsClosesEveryLoopsPoolWhenNothingRuns) {
  FenceObserver fence(4);
  auto f = make(2, 4, &fence);
  for (uint64_t i = 1; i <= 4; ++i) f->start(request(i, "/img/" + std::to_string(i)));
  ASSERT_EQ(drain(*f, 4).size(), 4u);
  EXPECT_GE(fence.open(), 2);  // idle, pooled, in both loops
  EXPECT_EQ(fence.threads(), 2u);
  f->start(request(5, "/hold"));
  ASSERT_TRUE(hold_.until_held(*f, 1));
  EXPECT_FALSE(f->close_idle_connections());  // a transfer runs: nothing is closed
  EXPECT_GE(fence.open(), 2);
  hold_.release();
  ASSERT_EQ(drain(*f, 1).size(), 1u);
  EXPECT_TRUE(f->close_idle_connections());
  EXPECT_EQ(fence.open(), 0);
}

}  // namespace
}  // namespace sluice
