// The libcurl Fetcher: every transfer on one multi handle, driven by one thread (the
// engine's, or a fetch lane's: fetch_lane.h) in wait() through libcurl's socket interface
// (socket_loop.h: epoll, and curl_multi_socket_action for the sockets that are ready);
// CURLOPT_PRIVATE maps a handle to its transfer, and each CURLMSG_DONE is handed back at once. No
// thread per download.
//
// Deadlines (--timeout) are kept here, in wait(): a transfer past its deadline with its
// request out is left to drain (transfer.h), one whose request never left is cut.
//
// Connections: HTTP/1.1 with keep-alive, no pipelining or multiplexing. Every socket is
// opened and closed through SocketBook, which applies the address policy, asks the
// ConnectionObserver (the gate's fence) and attributes the socket to the host:port of the
// hop being connected, so redirects to another host are counted against that host.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

#include "fetch/easy_pool.h"
#include "fetch/fetcher.h"
#include "fetch/socket_book.h"
#include "fetch/socket_loop.h"
#include "util/logger.h"

namespace sluice {

class Transfer;

class CurlFetcher final : public Fetcher {
 public:
  // observer and logger may be null; if given they must outlive the fetcher. Throws
  // std::runtime_error if libcurl cannot be set up (a start-up failure).
  CurlFetcher(FetchOptions options, ConnectionObserver* observer, Logger* logger);
  ~CurlFetcher() override;
  CurlFetcher(const CurlFetcher&) = delete;
  CurlFetcher& operator=(const CurlFetcher&) = delete;

  void start(FetchRequest req) override;
  std::vector<FetchResult> wait(std::chrono::milliseconds max_wait) override;
  void wakeup() override;
  size_t in_flight() const override;
  // Also closes every pooled connection (the observer sees each close).
  void cancel_all() override;
  // With no transfer running: a fresh multi handle, as cancel_all does.
  bool close_idle_connections() override;

  // Sockets open now (in use or idle in the connection cache).
  size_t open_sockets() const { return sockets_.open_sockets(); }

 private:
  struct MultiDeleter {  // the loop is detached first: cleanup must not call into it
    void operator()(CURLM* multi) const {
      SocketLoop::detach(multi);
      curl_multi_cleanup(multi);
    }
  };
  using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;

  MultiPtr make_multi();
  void collect_done();
  // Marks transfers past their deadline; cuts those whose request never left. Returns
  // the next deadline still to come (time_point::max() if none).
  std::chrono::steady_clock::time_point check_deadlines(std::chrono::steady_clock::time_point now);
  void finish(Transfer* t);
  void remove_all_transfers();
  void replace_multi();                      // closes every connection the old handle had open
  void log_multi_error(CURLMcode mc) const;  // an error of curl_multi_socket_action, if any

  FetchOptions options_;
  Logger* logger_;
  // Declared before multi_ and the transfers: closes during their cleanup report here.
  SocketBook sockets_;
  SocketLoop loop_;     // before multi_: outlives every handle attached to it
  EasyPool easy_pool_;  // before the transfers, whose handles go back to it
  std::unordered_map<Transfer*, std::unique_ptr<Transfer>> transfers_;  // in the multi handle
  std::vector<FetchResult> ready_;  // finished, not yet returned by wait()

  // cancel_all() replaces the multi handle; only the driving thread touches multi_.
  // wakeup() may come from any thread: it only wakes the loop (SocketLoop::wakeup).
  MultiPtr multi_;
};

}  // namespace sluice
