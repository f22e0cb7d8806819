// What the fetcher does for a gate shared by many workers: it asks before each request it
// sends (ConnectionObserver::may_send), and it closes a connection no job will reuse
// (FetchRequest::close_when_done).
#include <gtest/gtest.h>

#include <atomic>

#include "fetch/curl_fetcher.h"
#include "fetch/test_support.h"

namespace sluice {
namespace {

using namespace sluice::testing;

// Counts connections like CountingObserver and may refuse to send.
class SendObserver final : public ConnectionObserver {
 public:
  bool connection_opening(const std::string& host_key) override {
    ++open_now[host_key];
    return true;
  }
  void connection_closed(const std::string& host_key) override { --open_now[host_key]; }
  bool may_send(const std::string& host_key) override {
    ++send_asked[host_key];
    return send;
  }
  bool send = true;
  std::map<std::string, int> open_now, send_asked;
};

class CurlFetcherSendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.http().Get(R"(/img/(\d+))", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      res.set_content(make_body(1000, 1), "image/jpeg");
    });
    server_.start();
  }
  FetchResult fetch(CurlFetcher& f, uint64_t tag, bool close_when_done = false) {
    return fetch_one(f, server_.url("/img/" + std::to_string(tag)),
                     dir_.file(std::to_string(tag) + ".tmp"), tag, close_when_done);
  }

  std::atomic<int> requests_{0};
  TestServer server_;
  TempDir dir_;
  SendObserver observer_;
};

// A worker that lost its slots (a stall) sends nothing more, even on a connection it
// already has open: the request fails gate_refused before it leaves, and is not cut.
TEST_F(CurlFetcherSendTest, ARefusalToSendStopsTheRequestOnAReusedConnection) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  FetchResult first = fetch(f, 1);
  ASSERT_EQ(first.error.reason, Reason::ok) << first.error.to_string();
  EXPECT_EQ(observer_.open_now[server_.host_key()], 1);  // kept alive
  observer_.send = false;
  FetchResult second = fetch(f, 2);
  EXPECT_EQ(second.error.reason, Reason::gate_refused) << second.error.to_string();
  EXPECT_TRUE(second.cut_host.empty());  // nothing was sent: nothing to hold
  EXPECT_EQ(requests_.load(), 1);
  EXPECT_EQ(observer_.send_asked[server_.host_key()], 2);
}

TEST_F(CurlFetcherSendTest, CloseWhenDoneClosesTheConnectionAfterTheTransfer) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  FetchResult kept = fetch(f, 1);
  ASSERT_EQ(kept.error.reason, Reason::ok) << kept.error.to_string();
  EXPECT_EQ(observer_.open_now[server_.host_key()], 1);
  FetchResult closed = fetch(f, 2, /*close_when_done=*/true);  // reuses it, then closes it
  ASSERT_EQ(closed.error.reason, Reason::ok) << closed.error.to_string();
  EXPECT_EQ(observer_.open_now[server_.host_key()], 0);
  EXPECT_EQ(requests_.load(), 2);
}

}  // namespace
}  // namespace sluice
