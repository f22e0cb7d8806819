// SocketLoop: libcurl's socket interface on epoll (fetch/socket_loop.h). The fetcher's own
// tests drive it through real transfers; these pin the loop's contract on its own.
#include "fetch/socket_loop.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice {
namespace {

TEST(SocketLoop, AWakeupBeforeTheWaitEndsItAtOnce) {
  SocketLoop loop;
  CURLM* multi = curl_multi_init();
  ASSERT_TRUE(loop.attach(multi).ok());
  loop.wakeup();
  CURLMcode mc = CURLM_OK;
  const auto t0 = SocketLoop::Clock::now();
  EXPECT_TRUE(loop.wait(multi, 10'000, &mc));
  EXPECT_LT(SocketLoop::Clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(mc, CURLM_OK);
  SocketLoop::detach(multi);
  curl_multi_cleanup(multi);
}

TEST(SocketLoop, AWakeupFromAnotherThreadEndsAWaitInProgress) {
  SocketLoop loop;
  CURLM* multi = curl_multi_init();
  ASSERT_TRUE(loop.attach(multi).ok());
  std::thread waker([&loop] { loop.wakeup(); });
  CURLMcode mc = CURLM_OK;
  bool woken = false;
  // The wakeup may land before or during the wait; either way the wait returns with it.
  for (int i = 0; i < 50 && !woken; ++i) woken = loop.wait(multi, 100, &mc);
  waker.join();
  EXPECT_TRUE(woken);
  SocketLoop::detach(multi);
  curl_multi_cleanup(multi);
}

TEST(SocketLoop, WithoutAWakeupTheWaitLastsItsTimeout) {
  SocketLoop loop;
  CURLM* multi = curl_multi_init();
  ASSERT_TRUE(loop.attach(multi).ok());
  CURLMcode mc = CURLM_OK;
  const auto t0 = SocketLoop::Clock::now();
  EXPECT_FALSE(loop.wait(multi, 50, &mc));
  EXPECT_GE(SocketLoop::Clock::now() - t0, std::chrono::milliseconds(45));
  SocketLoop::detach(multi);
  curl_multi_cleanup(multi);
}

// A transfer added to an attached handle asks for a timeout action (libcurl starts it from
// there); once it ran, the transfer has asked for its sockets or its next timeout.
TEST(SocketLoop, AnAddedTransferAsksForItsTimeoutAction) {
  SocketLoop loop;
  CURLM* multi = curl_multi_init();
  ASSERT_TRUE(loop.attach(multi).ok());
  EXPECT_FALSE(loop.next_timeout().has_value());
  CURL* easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1:9/");  // discard: refused
  ASSERT_EQ(curl_multi_add_handle(multi, easy), CURLM_OK);
  ASSERT_TRUE(loop.next_timeout().has_value());
  EXPECT_EQ(loop.run_due_timeout(multi), CURLM_OK);
  curl_multi_remove_handle(multi, easy);
  curl_easy_cleanup(easy);
  SocketLoop::detach(multi);
  curl_multi_cleanup(multi);
}

}  // namespace
}  // namespace sluice
