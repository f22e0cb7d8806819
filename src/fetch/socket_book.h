// Every socket libcurl opens for the fetcher, and the "host:port" it was opened for.
// Opening applies the address policy and asks the ConnectionObserver; closing tells the
// observer, so each accepted open is matched by exactly one close, including closes of
// pooled connections long after their transfer (and the easy handle) is gone.
#pragma once

#include <curl/curl.h>

#include <string>
#include <unordered_map>

#include "fetch/fetcher.h"
#include "fetch/socket_loop.h"
#include "util/logger.h"

namespace sluice {

// What one open() decided when it returned CURL_SOCKET_BAD.
enum class SocketRefusal { none, blocked_address, gate_refused, os_error };

class SocketBook {
 public:
  SocketBook(ConnectionObserver* observer, Logger* logger, bool allow_private)
      : observer_(observer), logger_(logger), allow_private_(allow_private) {}
  SocketBook(const SocketBook&) = delete;
  SocketBook& operator=(const SocketBook&) = delete;

  // Opens a socket for a connection to host_key at addr, or returns CURL_SOCKET_BAD and
  // says why in *why (and *detail, for blocked addresses).
  curl_socket_t open(const std::string& host_key, const curl_sockaddr& addr, SocketRefusal* why,
                     std::string* detail);
  // Closes a socket libcurl is done with and reports it. Returns 0, or 1 if close() failed.
  int close(curl_socket_t sock);

  // Tells loop of every socket's open and close from now on (SocketLoop::opened, closed);
  // loop must outlive the book's last close.
  void report_to(SocketLoop* loop) { loop_ = loop; }

  size_t open_sockets() const { return sockets_.size(); }
  // Whether the observer lets a request go to host_key now (ConnectionObserver::may_send).
  bool may_send(const std::string& host_key) const {
    return observer_ == nullptr || observer_->may_send(host_key);
  }

  // CURLOPT_CLOSESOCKETFUNCTION; clientp is the SocketBook. libcurl keeps this pointer in
  // each connection, so the book must outlive the multi handle.
  static int close_callback(void* clientp, curl_socket_t sock);

 private:
  ConnectionObserver* observer_;  // may be null: count nothing
  Logger* logger_;                // may be null
  bool allow_private_;
  SocketLoop* loop_ = nullptr;                              // may be null
  std::unordered_map<curl_socket_t, std::string> sockets_;  // open socket -> host_key
};

}  // namespace sluice
