// The fetcher's event loop on libcurl's socket interface, after curl's ephiperfifo and
// multi-event examples: libcurl names the sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
// it wants to be called for its timeouts (CURLMOPT_TIMERFUNCTION); epoll waits for those
// sockets and for wakeup(), and only the sockets that are ready go to
// curl_multi_socket_action. A turn costs what happened in it, not a walk over every transfer
// and every socket (curl_multi_perform + curl_multi_poll).
//
// The epoll set follows what libcurl asks for lazily: a change is recorded and applied just
// before the next epoll_wait, and a removal only before a wait that may block (a look with
// poll_ready() ignores the sockets libcurl no longer watches), so a connection that goes
// back to libcurl's cache and is taken by the next transfer soon after (CURL_POLL_REMOVE,
// then CURL_POLL_IN) costs no epoll_ctl at all. That needs to know when a socket number is closed
// and made again (the kernel drops a closed socket from the set, and a new socket may get its
// number): sockets whose owner reports their life (opened(), closed(): the fetcher's SocketBook)
// are batched; any other (libcurl's own, e.g. its resolver's) is changed in the set at once.
//
// Threads: one thread (the fetcher's) calls everything but wakeup(), which any thread may
// call while the loop exists.
// Teardown: a multi handle attached to the loop calls back into it until detach() (or its
// cleanup, which also calls back): detach() before curl_multi_cleanup, or keep the loop alive
// until the handle is gone.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

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
  // wait() that does not block, and keeps the sockets libcurl stopped watching in the set
  // (their events are dropped) in case it asks for them again before the next wait().
  bool poll_ready(CURLM* multi, CURLMcode* error);
  // Makes a wait() in progress (or the next one) return at once. Any thread.
  void wakeup();

  // The owner of socket s made it (opened) or is about to close it (closed): see above.
  void opened(curl_socket_t s);
  void closed(curl_socket_t s);

  // What libcurl asks for socket s (CURL_POLL_IN, _OUT, _INOUT, _REMOVE): the socket
  // callback's work, public for tests. Takes effect at the next wait() or poll_ready().
  void watch(curl_socket_t s, int what);
  // The epoll descriptor, for tests that read the set from /proc/self/fdinfo.
  int epoll_fd() const { return epoll_.get(); }

 private:
  static int on_socket(CURL* easy, curl_socket_t s, int what, void* loop, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* loop);
  // Brings the epoll set to what libcurl asked for since the last call; with removals
  // false, sockets to remove stay in the set (and queued) for now.
  void apply_changes(bool removals);
  bool wait_events(CURLM* multi, int timeout_ms, CURLMcode* error);
  // epoll_ctl for s from what the set holds (in_set) to events (kNotInSet: remove).
  void change(curl_socket_t s, uint32_t events, uint32_t in_set);

  static constexpr uint32_t kNotInSet = UINT32_MAX;
  static constexpr uint32_t kUnknown = UINT32_MAX - 1;  // change(): the set may hold anything
  struct Watch {
    uint32_t want = kNotInSet;    // what libcurl asked for last
    uint32_t in_set = kNotInSet;  // what the epoll set holds
    bool owned = false;           // opened() and not closed() since
    bool queued = false;          // in changed_ (once at most)
  };
  Watch& watch_of(curl_socket_t s);
  static void renew(Watch& w, bool owned);
  std::vector<Watch> watches_;          // by socket number
  std::vector<curl_socket_t> changed_;  // sockets whose want may differ from in_set

  UniqueFd epoll_;
  UniqueFd wake_;  // an eventfd: wakeup() writes, wait() reads
  std::optional<Clock::time_point> timeout_at_;
};

}  // namespace sluice
