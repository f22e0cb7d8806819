// SocketLoop: libcurl's socket interface on epoll (fetch/socket_loop.h). The fetcher's own
// tests drive it through real transfers; these pin the loop's contract on its own.
#include "fetch/socket_loop.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice {
namespace {

// A loop with a multi handle attached, detached and cleaned up at the end of each test.
class SocketLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    multi_ = curl_multi_init();
    ASSERT_NE(multi_, nullptr);
    ASSERT_TRUE(loop_.attach(multi_).ok());
  }
  void TearDown() override {
    SocketLoop::detach(multi_);
    curl_multi_cleanup(multi_);
  }
  // loop_.wait on multi_; a libcurl error fails the test.
  bool wait(int timeout_ms) {
    CURLMcode mc = CURLM_OK;
    const bool woken = loop_.wait(multi_, timeout_ms, &mc);
    EXPECT_EQ(mc, CURLM_OK);
    return woken;
  }

  SocketLoop loop_;
  CURLM* multi_ = nullptr;
};

TEST_F(SocketLoopTest, AWakeupBeforeTheWaitEndsItAtOnce) {
  loop_.wakeup();
  const auto t0 = SocketLoop::Clock::now();
  EXPECT_TRUE(wait(10'000));
  EXPECT_LT(SocketLoop::Clock::now() - t0, std::chrono::seconds(5));
}

TEST_F(SocketLoopTest, AWakeupFromAnotherThreadEndsAWaitInProgress) {
  std::thread waker([this] { loop_.wakeup(); });
  bool woken = false;
  // The wakeup may land before or during the wait; either way the wait returns with it.
  for (int i = 0; i < 50 && !woken; ++i) woken = wait(100);
  waker.join();
  EXPECT_TRUE(woken);
}

TEST_F(SocketLoopTest, WithoutAWakeupTheWaitLastsItsTimeout) {
  const auto t0 = SocketLoop::Clock::now();
  EXPECT_FALSE(wait(50));
  EXPECT_GE(SocketLoop::Clock::now() - t0, std::chrono::milliseconds(45));
}

// A transfer added to an attached handle asks for a timeout action (libcurl starts it from
// there); once it ran, the transfer has asked for its sockets or its next timeout.
TEST_F(SocketLoopTest, AnAddedTransferAsksForItsTimeoutAction) {
  EXPECT_FALSE(loop_.next_timeout().has_value());
  CURL* easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1:9/");  // discard: refused
  ASSERT_EQ(curl_multi_add_handle(multi_, easy), CURLM_OK);
  EXPECT_TRUE(loop_.next_timeout().has_value());
  EXPECT_EQ(loop_.run_due_timeout(multi_), CURLM_OK);
  curl_multi_remove_handle(multi_, easy);
  curl_easy_cleanup(easy);
}

}  // namespace
}  // namespace sluice
