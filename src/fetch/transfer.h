// One download on a libcurl easy handle: the hop (URL) it is on, redirects followed by
// hand so each hop is checked again, and the body streamed to a temp file while hashed.
// CurlFetcher owns transfers and moves their handles in and out of its multi handle.
//
// The deadline (FetchOptions::total_timeout_ms) is soft: libcurl's own timeout is the
// deadline plus abandon_hold_ms. Past the deadline the transfer has failed (timeout), but
// a request already sent goes on being read into nothing, so it ends when the provider
// ends the response; if libcurl's timeout (or any other cut) ends it first, the result's
// cut_host says the provider may still be serving it.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "fetch/easy_pool.h"
#include "fetch/fetcher.h"
#include "fetch/socket_book.h"
#include "util/body_file.h"
#include "util/sha256.h"

namespace sluice {

class Transfer {
 public:
  // options, sockets and pool must outlive the transfer; its easy handle comes from pool
  // and goes back to it with the transfer.
  Transfer(FetchRequest req, const FetchOptions& options, SocketBook* sockets, EasyPool* pool);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Takes an easy handle from the pool, checks the URL and points the handle at it. false:
  // the transfer is already finished (take_result()).
  //
  // The temp file is created when a 2xx response's headers end, so nothing touches the
  // disk for other answers; a body within req.memory_limit never touches it (fetcher.h).
  // A temp file that cannot be created or written is a local fault (body_file.h): the rest
  // of the body is still read and dropped, so the request ends normally at the provider and
  // its connection stays reusable, and the result carries the local fault.
  [[nodiscard]] bool start();
  CURL* easy() const { return easy_.get(); }
  const std::string& url() const { return url_; }  // the current hop's

  // libcurl finished the current hop with code; the handle is out of the multi handle.
  // true: the transfer moved on to a redirect target and must be added again.
  // false: it is finished (take_result()).
  [[nodiscard]] bool on_hop_done(CURLcode code);

  // What check_deadline() found: before the deadline; past it with the request out (the
  // transfer drains, on_hop_done() finishes it); past it before the request left (the
  // caller must take the handle out of the multi handle and cancel() it now).
  enum class Overdue { no, draining, cut_now };
  // Call when now >= deadline(), or any time: idempotent once past the deadline.
  [[nodiscard]] Overdue check_deadline(std::chrono::steady_clock::time_point now);
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  bool draining() const { return timed_out_.has_value(); }

  // Finishes the transfer now with e (the multi handle refused it).
  void fail(Error e);
  // Finishes the transfer now, cut: as timeout if its deadline had passed, else as
  // cancelled; cut_host is set. Its handle is out of the multi handle.
  void cancel();

  FetchResult take_result() { return std::move(result_); }

  // Sets the callbacks every transfer uses on a new handle (EasyPool); their data
  // pointers are set by start(). close_data: the SocketBook.
  [[nodiscard]] static Status set_callbacks(CURL* easy, void* close_data);

 private:
  [[nodiscard]] Status begin_hop(const std::string& url);
  // cut: the fetcher ended the request while the provider may still be serving it.
  void finish(Error e, bool cut = false);
  void finish_ok();
  Error transport_error(CURLcode code) const;
  void new_response();
  bool headers_done();
  void header_line(std::string_view line);
  bool body(const char* data, size_t size);
  bool spill();
  bool to_file(const char* data, size_t size);
  void drop_body();  // the temp file and the body in memory, whichever there is

  static size_t header_callback(char* data, size_t size, size_t n, void* clientp);
  static size_t write_callback(char* data, size_t size, size_t n, void* clientp);
  static curl_socket_t open_socket_callback(void* clientp, curlsocktype purpose,
                                            curl_sockaddr* addr);
  static int prereq_callback(void* clientp, char* primary_ip, char* local_ip, int primary_port,
                             int local_port);

  FetchRequest req_;
  const FetchOptions& options_;
  SocketBook* sockets_;
  EasyPool* pool_;
  EasyPool::Handle easy_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point deadline_;  // started_ + total_timeout_ms
  std::optional<Error> timed_out_;                  // set at the deadline: the drain is on
  BodyFile file_;
  // A 2xx body within req_.memory_limit (so far): kept here, not in file_, and not hashed.
  bool in_memory_ = false;
  std::string mem_;
  Sha256 hash_;
  FetchResult result_;

  // The current hop.
  std::string url_;
  std::string host_key_;    // what its sockets are attributed to
  bool keep_body_ = false;  // the response is a 2xx: its body goes to file_
  uint64_t hop_bytes_ = 0;  // body bytes seen on this hop, kept or discarded
  // The current response's framing, from its own header lines (not libcurl's reading of
  // them): a response whose length is ambiguous is refused, and a body is kept only if
  // its length is the one declared.
  std::optional<uint64_t> declared_length_;  // Content-Length
  bool length_conflict_ = false;             // two different (or unreadable) Content-Lengths
  bool chunked_ = false;                     // a Transfer-Encoding header
  uint64_t header_bytes_ = 0;                // of this response's headers so far
  bool headers_complete_ = false;            // the blank line after them was seen
  std::optional<Error> abort_;               // why a callback stopped the hop
  bool blocked_ = false;                     // an address was refused by the address policy ...
  bool gate_refused_ = false;                // ... or by the observer (the gate)
  bool send_refused_ = false;                // the observer refused to send (may_send)
  int sockets_opened_ = 0;                   // sockets this hop actually opened
  std::string blocked_detail_;
  char errbuf_[CURL_ERROR_SIZE] = {};

  // The temp file could not be created or written: the rest of the body is read and
  // dropped, and this is the transfer's result.
  std::optional<Error> local_fault_;
};

}  // namespace sluice
