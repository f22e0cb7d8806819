// CurlFetcher's connections: address policy, the observer's fence, keep-alive reuse,
// matched open/close, many transfers on one loop, cancel_all and wakeup.
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "fetch/curl_fetcher.h"
#include "fetch/test_support.h"

namespace sluice {
namespace {

using namespace sluice::testing;
using std::chrono::milliseconds;

class CurlFetcherConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.http().Get(R"(/img/(\d+))",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         ++requests_;
                         res.set_content(body(std::stoi(req.matches[1])), "image/jpeg");
                       });
    hold_.install(server_.http());
    other_.http().Get("/x", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("other", "image/gif");
    });
    // Connections stay open until the client closes them (httplib closes one after 5
    // requests by default), so every close the observer sees is the fetcher's.
    server_.http().set_keep_alive_max_count(100000);
    server_.start();
    other_.start();
  }

  static std::string body(int i) { return make_body(1000 + 37 * i, i); }

  FetchRequest request(uint64_t tag, const std::string& url) {
    return FetchRequest{tag, url, "", dir_.file(std::to_string(tag) + ".tmp")};
  }

  std::atomic<int> requests_{0};
  TestServer server_;
  TestServer other_;
  HoldRoute hold_;  // after the servers: releases its requests before they stop
  TempDir dir_;
  CountingObserver observer_;
};

TEST_F(CurlFetcherConnectionsTest, LoopbackIsBlockedUnlessPrivateIsAllowed) {
  FetchOptions o = local_options();
  o.allow_private = false;
  CurlFetcher f(o, &observer_, nullptr);
  for (const std::string& url :
       {server_.url("/img/1"), "http://localhost:" + std::to_string(server_.port()) + "/img/1",
        "http://[::1]:" + std::to_string(server_.port()) + "/img/1"}) {
    FetchResult r = fetch_one(f, url, dir_.file("b.tmp"));
    EXPECT_EQ(r.error.reason, Reason::blocked_address) << url << ": " << r.error.to_string();
    EXPECT_NE(r.error.detail.find("loopback"), std::string::npos) << r.error.detail;
  }
  EXPECT_EQ(observer_.total_asked(), 0);  // no socket ever reached the observer
  EXPECT_EQ(requests_.load(), 0);
  EXPECT_EQ(dir_.entries(), 0u);
  EXPECT_EQ(f.open_sockets(), 0u);
}

TEST_F(CurlFetcherConnectionsTest, ObserverRefusalIsGateRefused) {
  observer_.allow = false;
  CurlFetcher f(local_options(), &observer_, nullptr);
  FetchResult r = fetch_one(f, server_.url("/img/1"), dir_.file("b.tmp"));
  EXPECT_EQ(r.error.reason, Reason::gate_refused) << r.error.to_string();
  EXPECT_GE(observer_.asked[server_.host_key()], 1);
  EXPECT_EQ(observer_.opens[server_.host_key()], 0);
  EXPECT_EQ(requests_.load(), 0);
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherConnectionsTest, SequentialRequestsReuseOneKeepAliveConnection) {
  {
    CurlFetcher f(local_options(), &observer_, nullptr);
    for (int i = 1; i <= 3; ++i) {
      FetchResult r = fetch_one(f, server_.url("/img/" + std::to_string(i)),
                                dir_.file(std::to_string(i) + ".tmp"), i);
      ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
      EXPECT_EQ(r.sha256, reference_sha256(body(i)));
    }
    EXPECT_EQ(observer_.opens[server_.host_key()], 1);
    EXPECT_EQ(observer_.open_now[server_.host_key()], 1);  // idle, pooled, still counted
    EXPECT_EQ(f.open_sockets(), 1u);
  }
  EXPECT_EQ(observer_.closes[server_.host_key()], 1);  // closed by the destructor
  EXPECT_EQ(observer_.unmatched_closes, 0);
}

// A lull (one transfer at a time) between two bursts of kSlots: with the cache sized to
// the slots, the second burst finds every connection of the first still open. libcurl's
// default (4 x the transfers in flight) closes one idle connection per transfer in the
// lull, and the second burst opens them again.
TEST_F(CurlFetcherConnectionsTest, IdleConnectionsOutlastALullWhenTheCacheFitsTheSlots) {
  constexpr int kSlots = 20;
  FetchOptions o = local_options();
  o.max_idle_connections = kSlots;
  CurlFetcher f(o, &observer_, nullptr);
  uint64_t tag = 0;
  auto burst = [&] {
    for (int i = 0; i < kSlots; ++i) {
      ++tag;
      f.start(request(tag, server_.url("/img/" + std::to_string(tag))));
    }
    for (const FetchResult& r : drain(f, kSlots)) {
      EXPECT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
    }
  };
  burst();
  const int first = observer_.opens[server_.host_key()];
  EXPECT_GT(first, kSlots / 2) << "the first burst should need many connections";
  for (int i = 0; i < 12; ++i) {
    ++tag;
    FetchResult r = fetch_one(f, server_.url("/img/" + std::to_string(tag)),
                              dir_.file(std::to_string(tag) + ".tmp"), tag);
    ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  }
  EXPECT_EQ(observer_.open_now[server_.host_key()], first) << "idle connections were closed";
  burst();
  EXPECT_LE(observer_.opens[server_.host_key()], kSlots);
  EXPECT_EQ(observer_.closes[server_.host_key()], 0);
}

TEST_F(CurlFetcherConnectionsTest, OpensAndClosesMatchPerHost) {
  {
    CurlFetcher f(local_options(), &observer_, nullptr);
    for (int i = 0; i < 6; ++i) {
      f.start(request(i, i % 2 ? server_.url("/img/" + std::to_string(i)) : other_.url("/x")));
    }
    for (const FetchResult& r : drain(f, 6)) EXPECT_EQ(r.error.reason, Reason::ok);
  }
  for (const auto& host : {server_.host_key(), other_.host_key()}) {
    EXPECT_GE(observer_.opens[host], 1) << host;
    EXPECT_EQ(observer_.opens[host], observer_.closes[host]) << host;
    EXPECT_EQ(observer_.open_now[host], 0) << host;
  }
  EXPECT_EQ(observer_.opens.size(), 2u);
  EXPECT_EQ(observer_.unmatched_closes, 0);
}

TEST_F(CurlFetcherConnectionsTest, FiftyConcurrentTransfersOnOneWaitLoop) {
  constexpr int kCount = 50;
  CurlFetcher f(local_options(), &observer_, nullptr);
  for (int i = 0; i < kCount; ++i) f.start(request(i, server_.url("/img/" + std::to_string(i))));
  EXPECT_EQ(f.in_flight(), size_t{kCount});
  std::vector<FetchResult> results = drain(f, kCount);
  ASSERT_EQ(results.size(), size_t{kCount});
  std::set<uint64_t> tags;
  for (const FetchResult& r : results) {
    ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
    EXPECT_EQ(r.sha256, reference_sha256(body(static_cast<int>(r.tag))));
    EXPECT_EQ(read_file(r.temp_file), body(static_cast<int>(r.tag)));
    tags.insert(r.tag);
  }
  EXPECT_EQ(tags.size(), size_t{kCount});
  EXPECT_EQ(f.in_flight(), 0u);
  EXPECT_LE(observer_.opens[server_.host_key()], kCount);
  EXPECT_EQ(observer_.open_now[server_.host_key()], static_cast<int>(f.open_sockets()));
}

// Every transfer closes its connection and the next ones open new sockets, which the kernel
// gives the numbers just closed: every transfer completes, each on a connection of its own.
// (That a closed number's old entry is never trusted is pinned by SocketLoopTest: here
// libcurl asks for OUT first on a new socket, so such a fault would not show.)
TEST_F(CurlFetcherConnectionsTest, ConnectionsClosedAfterEachTransferAndMadeAgain) {
  FetchOptions o = local_options();
  o.total_timeout_ms = 1'000;
  CurlFetcher f(o, &observer_, nullptr);
  uint64_t tag = 0;
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 3; ++i) {
      ++tag;
      FetchRequest req = request(tag, server_.url("/img/" + std::to_string(tag)));
      req.close_when_done = true;
      f.start(std::move(req));
    }
    for (const FetchResult& r : drain(f, 3)) {
      ASSERT_EQ(r.error.reason, Reason::ok) << "round " << round << ": " << r.error.to_string();
    }
  }
  EXPECT_EQ(observer_.opens[server_.host_key()], static_cast<int>(tag));
  EXPECT_EQ(observer_.open_now[server_.host_key()], 0);
}

TEST_F(CurlFetcherConnectionsTest, CancelAllReturnsCancelledAndClosesEverything) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  ASSERT_EQ(fetch_one(f, other_.url("/x"), dir_.file("idle.tmp"), 99).error.reason, Reason::ok);
  for (int i = 0; i < 3; ++i) f.start(request(i, server_.url("/hold")));
  ASSERT_TRUE(hold_.until_held(f, 3));
  EXPECT_EQ(f.in_flight(), 3u);
  f.cancel_all();
  // Both the 3 busy connections and the idle one to the other host are closed now.
  EXPECT_EQ(observer_.total_open_now(), 0);
  EXPECT_EQ(f.open_sockets(), 0u);
  EXPECT_EQ(f.in_flight(), 3u);  // until wait() hands the results back
  std::vector<FetchResult> results = f.wait(milliseconds(0));
  ASSERT_EQ(results.size(), 3u);
  for (const FetchResult& r : results) {
    EXPECT_EQ(r.error.reason, Reason::cancelled) << r.error.to_string();
    EXPECT_FALSE(std::filesystem::exists(r.temp_file));
  }
  EXPECT_EQ(f.in_flight(), 0u);
  // The fetcher still works after cancel_all.
  FetchResult again = fetch_one(f, server_.url("/img/4"), dir_.file("again.tmp"));
  EXPECT_EQ(again.error.reason, Reason::ok) << again.error.to_string();
  EXPECT_EQ(observer_.unmatched_closes, 0);
}

// A worker sharing a cap gives back the slots of its idle connections once it has nothing
// left to fetch: closed only when no transfer runs, every close reported.
TEST_F(CurlFetcherConnectionsTest, CloseIdleConnectionsClosesThePoolOnlyWhenNothingRuns) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  ASSERT_EQ(fetch_one(f, server_.url("/img/1"), dir_.file("1.tmp"), 1).error.reason, Reason::ok);
  ASSERT_EQ(fetch_one(f, other_.url("/x"), dir_.file("x.tmp"), 2).error.reason, Reason::ok);
  f.start(request(3, server_.url("/hold")));
  ASSERT_TRUE(hold_.until_held(f, 1));
  EXPECT_EQ(f.open_sockets(), 2u);           // the hold reuses the idle one to server_
  EXPECT_FALSE(f.close_idle_connections());  // a transfer runs: nothing is closed
  EXPECT_EQ(f.open_sockets(), 2u);
  hold_.release();
  std::vector<FetchResult> done;
  for (int i = 0; i < 20 && done.empty(); ++i) done = f.wait(milliseconds(1'000));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].error.reason, Reason::ok) << done[0].error.to_string();
  EXPECT_EQ(f.open_sockets(), 2u);  // both idle, pooled
  EXPECT_TRUE(f.close_idle_connections());
  EXPECT_EQ(f.open_sockets(), 0u);
  EXPECT_EQ(observer_.total_open_now(), 0);
  EXPECT_EQ(observer_.unmatched_closes, 0);
  // The fetcher still works afterwards, on a new connection.
  ASSERT_EQ(fetch_one(f, server_.url("/img/4"), dir_.file("4.tmp"), 4).error.reason, Reason::ok);
  EXPECT_EQ(observer_.opens[server_.host_key()], 2);
}

TEST_F(CurlFetcherConnectionsTest, WaitReturnsAfterMaxWaitWhenIdle) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(f.wait(milliseconds(50)).empty());
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, milliseconds(45));
  EXPECT_LT(took, milliseconds(5'000));
}

TEST_F(CurlFetcherConnectionsTest, WakeupFromAnotherThreadEndsWait) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  f.start(request(1, server_.url("/hold")));
  std::thread waker([&f] { f.wakeup(); });  // before or during wait(): both must end it
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<FetchResult> results = f.wait(milliseconds(60'000));
  waker.join();
  EXPECT_TRUE(results.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(30'000));
  EXPECT_EQ(f.in_flight(), 1u);
}

TEST_F(CurlFetcherConnectionsTest, EarlyFailuresComeBackFromWait) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  f.start(request(7, "gopher://127.0.0.1/x"));
  EXPECT_EQ(f.in_flight(), 1u);
  std::vector<FetchResult> results = f.wait(milliseconds(10'000));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].tag, 7u);
  EXPECT_EQ(results[0].error.reason, Reason::bad_url);
  EXPECT_EQ(f.in_flight(), 0u);
}

}  // namespace
}  // namespace sluice
