// SocketLoop: libcurl's socket interface on epoll (fetch/socket_loop.h). The fetcher's own
// tests drive it through real transfers; these pin the loop's contract on its own.
#include "fetch/socket_loop.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
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

// The sockets in the loop's epoll set and what each is watched for, as the kernel says
// (/proc/self/fdinfo of the epoll descriptor: "tfd: <fd> events: <hex mask> ..."), the
// mask cut to EPOLLIN and EPOLLOUT (the kernel adds EPOLLERR and EPOLLHUP to every entry).
std::map<int, unsigned> epoll_set(int epfd) {
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(epfd));
  std::map<int, unsigned> out;
  for (std::string line; std::getline(in, line);) {
    int fd = 0;
    unsigned events = 0;
    if (std::sscanf(line.c_str(), "tfd: %d events: %x", &fd, &events) == 2) {
      out[fd] = events & (EPOLLIN | EPOLLOUT);
    }
  }
  return out;
}

// A connected socket of the loop's owner (a socketpair end), closed by the test.
int owned_socket(SocketLoop& loop, int* peer) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return -1;
  *peer = sv[1];
  loop.opened(sv[0]);
  return sv[0];
}

TEST_F(SocketLoopTest, TheSetFollowsWhatLibcurlAsksAtTheNextWait) {
  int peer = -1;
  const int s = owned_socket(loop_, &peer);
  ASSERT_GE(s, 0);
  loop_.watch(s, CURL_POLL_IN);
  EXPECT_EQ(epoll_set(loop_.epoll_fd()).count(s), 0u) << "applied before the wait";
  wait(0);
  EXPECT_EQ(epoll_set(loop_.epoll_fd())[s], unsigned{EPOLLIN});
  loop_.watch(s, CURL_POLL_OUT);
  wait(0);
  EXPECT_EQ(epoll_set(loop_.epoll_fd())[s], unsigned{EPOLLOUT});
  // A removal waits for a wait that may block: a look (poll_ready) keeps the socket.
  loop_.watch(s, CURL_POLL_REMOVE);
  CURLMcode mc = CURLM_OK;
  loop_.poll_ready(multi_, &mc);
  EXPECT_EQ(epoll_set(loop_.epoll_fd()).count(s), 1u);
  wait(0);
  EXPECT_EQ(epoll_set(loop_.epoll_fd()).count(s), 0u);
  loop_.closed(s);
  ::close(s);
  ::close(peer);
}

// Regression guard: the set must not trust what it held for a number that was closed and
// made again (the kernel drops a closed socket from the set). Here the new socket asks for
// what the old one had (IN) before any wait: a loop that compared with the old entry would
// never add it.
TEST_F(SocketLoopTest, ASocketNumberClosedAndMadeAgainIsAddedAgain) {
  int peer = -1;
  const int s = owned_socket(loop_, &peer);
  ASSERT_GE(s, 0);
  loop_.watch(s, CURL_POLL_IN);
  wait(0);
  ASSERT_EQ(epoll_set(loop_.epoll_fd()).count(s), 1u);
  loop_.watch(s, CURL_POLL_REMOVE);
  loop_.closed(s);
  ::close(s);
  ::close(peer);
  const int again = owned_socket(loop_, &peer);
  ASSERT_EQ(again, s) << "the kernel gave another number; the test needs the same one";
  loop_.watch(again, CURL_POLL_IN);
  wait(0);
  EXPECT_EQ(epoll_set(loop_.epoll_fd())[again], unsigned{EPOLLIN});
  loop_.closed(again);
  ::close(again);
  ::close(peer);
}

}  // namespace
}  // namespace sluice
