// Requests the fetcher gives up on. Past --timeout a request already sent is read to its
// end into nothing, so the transfer (and the caller's slot) ends when the provider ends
// the response; only when that drain runs out, or the request is cut for another reason,
// does the result say the provider may still be serving it (cut_host).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <thread>

#include "fetch/curl_fetcher.h"
#include "fetch/test_support.h"

namespace sluice {
namespace {

using namespace sluice::testing;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

class CurlFetcherAbandonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& http = server_.http();
    http.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(milliseconds(800));  // the provider is busy: its latency
      res.set_content(std::string(5000, 'z'), "image/jpeg");
    });
    http.Get("/stall", [this](const httplib::Request&, httplib::Response& res) {
      release_.wait();
      res.set_content("late", "image/jpeg");
    });
    http.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(100'000, 'b'), "image/jpeg");
    });
    http.Get("/short", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(1000, "image/jpeg", [](size_t, size_t, httplib::DataSink& sink) {
        sink.write(std::string(100, 'x').data(), 100);
        return false;  // the provider closes, 900 bytes short
      });
    });
    server_.start();
  }

  FetchOptions options(long timeout_ms, long hold_ms) const {
    FetchOptions o = local_options();
    o.total_timeout_ms = timeout_ms;
    o.abandon_hold_ms = hold_ms;
    return o;
  }

  // One fetch on f; *took is how long until its result came back.
  FetchResult timed_fetch(CurlFetcher& f, const std::string& url, milliseconds* took) {
    const auto t0 = steady_clock::now();
    FetchResult r = fetch_one(f, url, dir_.file("body.tmp"));
    *took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - t0);
    return r;
  }

  TestServer server_;
  Latch release_;  // after server_: opens before the server stops
  TempDir dir_;
  CountingObserver observer_;
};

TEST_F(CurlFetcherAbandonTest, ATimedOutRequestIsReadToItsEndAndItsConnectionKept) {
  CurlFetcher f(options(200, 5'000), &observer_, nullptr);
  milliseconds took{};
  FetchResult r = timed_fetch(f, server_.url("/slow"), &took);
  EXPECT_EQ(r.error.reason, Reason::timeout) << r.error.to_string();
  EXPECT_NE(r.error.detail.find("200 ms"), std::string::npos) << r.error.detail;
  EXPECT_GE(took, milliseconds(700));  // not at the deadline: when the provider was done
  EXPECT_LT(took, milliseconds(4'000));
  EXPECT_TRUE(r.cut_host.empty());  // the provider ended it: nothing to hold
  EXPECT_EQ(r.http_status, 0);      // as of the deadline: no answer yet
  EXPECT_TRUE(r.sha256.empty());
  EXPECT_EQ(dir_.entries(), 0u);                         // the body was read into nothing
  EXPECT_EQ(observer_.open_now[server_.host_key()], 1);  // kept alive, not cut
  // ... and reused by the next request.
  FetchResult next = fetch_one(f, server_.url("/big"), dir_.file("next.tmp"));
  EXPECT_EQ(next.error.reason, Reason::ok) << next.error.to_string();
  EXPECT_EQ(observer_.opens[server_.host_key()], 1);
}

TEST_F(CurlFetcherAbandonTest, ADrainThatRunsOutIsCutAndSaysSo) {
  CurlFetcher f(options(200, 300), &observer_, nullptr);
  milliseconds took{};
  FetchResult r = timed_fetch(f, server_.url("/stall"), &took);
  EXPECT_EQ(r.error.reason, Reason::timeout) << r.error.to_string();
  EXPECT_GE(took, milliseconds(450));  // the deadline, then the drain
  EXPECT_LT(took, milliseconds(3'000));
  EXPECT_EQ(r.cut_host, server_.host_key());  // the provider may still be serving it
  EXPECT_EQ(observer_.open_now[server_.host_key()], 0);
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherAbandonTest, ABodyOverTheLimitIsACut) {
  FetchOptions o = options(20'000, 5'000);
  o.max_bytes = 1'000;
  CurlFetcher f(o, &observer_, nullptr);
  FetchResult r = fetch_one(f, server_.url("/big"), dir_.file("body.tmp"));
  EXPECT_EQ(r.error.reason, Reason::too_large) << r.error.to_string();
  EXPECT_EQ(r.cut_host, server_.host_key());
}

TEST_F(CurlFetcherAbandonTest, AResponseTheProviderEndedIsNoCut) {
  CurlFetcher f(options(20'000, 5'000), &observer_, nullptr);
  FetchResult shorter = fetch_one(f, server_.url("/short"), dir_.file("a.tmp"));
  EXPECT_EQ(shorter.error.reason, Reason::truncated) << shorter.error.to_string();
  EXPECT_TRUE(shorter.cut_host.empty());
  FetchResult missing = fetch_one(f, server_.url("/missing"), dir_.file("b.tmp"));
  EXPECT_EQ(missing.error.code(), "http_404");
  EXPECT_TRUE(missing.cut_host.empty());
}

TEST_F(CurlFetcherAbandonTest, CancelledTransfersAreCuts) {
  CurlFetcher f(options(20'000, 5'000), &observer_, nullptr);
  f.start(FetchRequest{1, server_.url("/stall"), "", dir_.file("a.tmp")});
  const auto until = steady_clock::now() + std::chrono::seconds(10);
  while (observer_.open_now[server_.host_key()] == 0 && steady_clock::now() < until) {
    EXPECT_TRUE(f.wait(milliseconds(10)).empty());
  }
  f.cancel_all();
  std::vector<FetchResult> results = f.wait(milliseconds(0));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].error.reason, Reason::cancelled);
  EXPECT_EQ(results[0].cut_host, server_.host_key());
}

// A listener whose accept queue is full drops new SYNs: the connection never completes,
// so the request never leaves. At the deadline there is nothing to wait for: cut at once,
// not after the drain, and held (the SYN may yet be accepted).
TEST_F(CurlFetcherAbandonTest, ARequestThatNeverLeftIsCutAtTheDeadline) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::vector<int> fillers;  // connections nobody accepts: they fill the queue
  for (int i = 0; i < 4; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(fd);
  }

  CurlFetcher f(options(300, 10'000), &observer_, nullptr);
  milliseconds took{};
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/x.jpg";
  FetchResult r = timed_fetch(f, url, &took);
  EXPECT_EQ(r.error.reason, Reason::timeout) << r.error.to_string();
  EXPECT_LT(took, milliseconds(3'000));  // not the 10 s drain
  EXPECT_EQ(r.cut_host, "127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
  for (int fd : fillers) ::close(fd);
  ::close(listener);
}

}  // namespace
}  // namespace sluice
