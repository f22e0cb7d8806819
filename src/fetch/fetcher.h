// Asynchronous HTTP downloads. Backends: CurlFetcher (curl_fetcher.h), on libcurl's multi
// interface, and ParallelFetcher (parallel_fetcher.h), several CurlFetchers on threads of
// their own; FakeFetcher for engine tests. One thread (the engine's) calls a Fetcher; the
// ConnectionObserver may be called from the threads that drive its loops.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "util/error.h"

namespace sluice {

// Sees every TCP connection the fetcher opens and closes, keyed by the "host:port" the
// connection goes to. The engine forwards these to the Gate, which counts open
// connections per host (idle keep-alive ones included). Called on the thread that drives
// the fetch loop that owns the connection: with several loops (ParallelFetcher), from
// several threads at once.
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  // Called before a socket is opened. Returning false refuses it: the transfer then
  // fails with Reason::gate_refused.
  virtual bool connection_opening(const std::string& host_key) = 0;
  virtual void connection_closed(const std::string& host_key) = 0;
  // Called after the connection is ready (new or reused) and before a request is sent on
  // it (libcurl's CURLOPT_PREREQFUNCTION), for every hop. Returning false aborts the
  // transfer before anything is sent: it fails with Reason::gate_refused, not cut (nothing
  // to hold). A gate whose slots may have been lost (a stalled worker) says no here.
  virtual bool may_send(const std::string& host_key) {
    (void)host_key;
    return true;
  }
};

struct FetchOptions {
  uint64_t max_bytes = 50ull << 20;  // --max-bytes; larger bodies fail too_large
  long connect_timeout_ms = 10'000;
  // --timeout: a transfer without its whole response by then fails with Reason::timeout.
  // A request already sent is not cut at that moment: what still arrives is read into
  // nothing until the provider ends the response, for at most abandon_hold_ms more, so the
  // transfer (and its slot) ends when the provider is done with it. A request not yet
  // sent is cut at the deadline.
  long total_timeout_ms = 120'000;
  long abandon_hold_ms = 30'000;
  long low_speed_bytes = 1024;  // below this many bytes/s ...
  long low_speed_seconds = 30;  // ... for this long: timeout
  int max_redirects = 5;
  bool allow_private = false;  // loopback/private/link-local/... addresses allowed
  std::string user_agent = "sluice/0.1";
  // CURLMOPT_MAXCONNECTS: connections kept open (in use or idle) for reuse. 0: libcurl's
  // default, 4 x the transfers in flight, which closes idle connections whenever fewer than
  // a quarter of them are in use (a lull, store backpressure) and reopens them when
  // fetching picks up again. `run` sets the sum of the host caps, so every slot keeps its
  // connection (the gate counts idle ones against the cap, so this never exceeds it).
  long max_idle_connections = 0;
};

struct FetchRequest {
  uint64_t tag = 0;  // the caller's handle, echoed in FetchResult
  std::string url;
  std::string host_key;             // the slot the caller holds for this request
  std::filesystem::path temp_file;  // created and written by the fetcher
  // Close the connection when the transfer ends instead of keeping it alive for reuse
  // (CURLOPT_FORBID_REUSE): the caller has no further request to that host that would
  // reuse it, and an idle connection would keep a slot other workers need.
  bool close_when_done = false;
  // A 2xx body of at most this many bytes stays in memory (FetchResult::body) instead of
  // going to temp_file, and is not hashed here: whoever stores it hashes it and writes it,
  // off the fetcher's thread. A longer body spills to temp_file (hashed, as with 0). 0:
  // every body goes to temp_file.
  uint64_t memory_limit = 0;
};

constexpr size_t kHeadBytes = 64;

struct FetchResult {
  uint64_t tag = 0;
  Error error;                      // reason ok on a 2xx with the whole body
  long http_status = 0;             // also set when a transfer failed after the response began
  std::filesystem::path temp_file;  // the body on success; removed by the fetcher on failure
  // On success with a body within FetchRequest::memory_limit: the body itself; temp_file
  // was never created and sha256 is empty. Null otherwise.
  std::shared_ptr<const std::string> body;
  std::string sha256;  // hex, of the body as stored (empty for a body in memory)
  uint64_t bytes = 0;
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::string retry_after;    // raw header value, for 429/503
  std::string head;           // the body's first bytes (up to kHeadBytes), for magic checks
  std::string effective_url;  // after redirects
  // Non-empty when the fetcher cut the request while the provider may still be serving it
  // (a timeout or the end of a drain, over max_bytes, cancelled, a connect timeout): the
  // "host:port" of the hop cut. The provider may count that request (and its connection)
  // a while longer, so the caller should keep a slot of that host held (Gate::hold). Empty
  // when the provider itself ended the response (complete, reset, closed early) or no
  // request was made.
  std::string cut_host;
  int redirects = 0;
  double seconds = 0;  // total transfer time
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;

  // Starts a download. The caller has admitted it through the Gate already.
  virtual void start(FetchRequest req) = 0;

  // Drives transfers for at most max_wait, returning as soon as any have finished (or
  // wakeup() was called). Never blocks longer than max_wait.
  virtual std::vector<FetchResult> wait(std::chrono::milliseconds max_wait) = 0;

  // Makes a concurrent or later wait() return at once. Safe from any thread.
  virtual void wakeup() = 0;

  // Transfers started and not yet returned by wait().
  virtual size_t in_flight() const = 0;

  // Aborts every transfer (their results come back from the next wait() as cancelled, or
  // as timeout when their deadline had passed, each with cut_host set) and closes every
  // connection.
  virtual void cancel_all() = 0;
  // Closes every idle pooled connection, if no transfer is running; otherwise does nothing
  // (libcurl cannot close one connection of its cache). Returns whether it closed them.
  // For a worker that shares a host's cap with others: an idle keep-alive connection keeps
  // a slot, which this gives back once the worker has nothing left to fetch.
  virtual bool close_idle_connections() { return false; }
};

}  // namespace sluice
