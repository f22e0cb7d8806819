// The fetcher's event loop on libcurl's socket interface, after curl's ephiperfifo and
// multi-event examples: libcurl names the sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
// it wants to be called for its timeouts (CURLMOPT_TIMERFUNCTION); epoll waits for those
// sockets and for wakeup(), and only the sockets that are ready go to
// curl_multi_socket_action. A turn costs what happened in it, not a walk over every transfer
// and every socket (curl_multi_perform + curl_multi_poll).
//
// Threads: one thread (the fetcher's) calls everything but wakeup(), which any thread may
// call while the loop exists.
// Teardown: a multi handle attached to the loop calls back into it until detach() (or its
// cleanup, which also calls back): detach() before curl_multi_cleanup, or keep the loop alive
// until the handle is gone.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <optional>

#include "util/error.h"
#include "util/unique_fd.h"

namespace sluice {

class SocketLoop {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws std::runtime_error if epoll or eventfd cannot be made (a start-up failure).
  SocketLoop();
  SocketLoop(const SocketLoop&) = delete;
  SocketLoop& operator=(const SocketLoop&) = delete;

  // Makes the loop drive multi (a fresh handle: the socket and timer callbacks are set on
  // it). One handle at a time; attaching another replaces it.
  [[nodiscard]] Status attach(CURLM* multi);
  // Removes the callbacks from multi, so that its cleanup no longer calls into the loop.
  static void detach(CURLM* multi);

  // Runs libcurl's timeout action if its time has come. Returns libcurl's error, if any.
  CURLMcode run_due_timeout(CURLM* multi);
  // When libcurl wants its timeout action next (nullopt: it wants none).
  std::optional<Clock::time_point> next_timeout() const { return timeout_at_; }
  // Waits up to timeout_ms for a socket libcurl watches or a wakeup(), and hands every
  // ready socket to libcurl. Returns true if a wakeup() came.
  bool wait(CURLM* multi, int timeout_ms, CURLMcode* error);
  // Makes a wait() in progress (or the next one) return at once. Any thread.
  void wakeup();

 private:
  static int on_socket(CURL* easy, curl_socket_t s, int what, void* loop, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* loop);
  void watch(curl_socket_t s, int what);

  UniqueFd epoll_;
  UniqueFd wake_;  // an eventfd: wakeup() writes, wait() reads
  std::optional<Clock::time_point> timeout_at_;
};

}  // namespace sluice
