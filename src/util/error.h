// Errors as values: a stable reason code, whether a retry may help, and a detail.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sluice {

// Stable reason codes. Their names (reason_name) are written to the queue, shown by
// `dlq list`, used as metric labels and accepted by `dlq replay --reason`. Never renumber
// or rename one; add new ones at the end.
enum class Reason {
  ok = 0,
  http_status,      // named "http_<code>" from Error::http_status
  bad_url,          // not parseable, or not http/https
  blocked_address,  // resolved to a loopback/private/link-local/... address
  dns,              // name did not resolve
  connect,          // connection refused / unreachable
  timeout,          // connect, total or low-speed timeout
  reset,            // connection reset / closed mid-transfer
  truncated,        // body shorter than Content-Length
  too_large,        // body over --max-bytes
  not_image,        // content type / magic bytes say it is not an image
  too_many_redirects,
  tls,           // certificate or handshake failure
  network,       // any other transport failure
  store_io,      // the store failed; retry, never dead-letter
  store_denied,  // the store refuses for good (permissions, credentials)
  gate_refused,  // the per-host fence refused a socket; retried without charge
  cancelled,     // stopped by the engine (shutdown); released, not charged
  internal,
  bad_input,          // a malformed input line
  io,                 // a local file could not be read or written
  bad_key,            // the key template gives no safe key for this job
  bad_framing,        // the response's length is ambiguous (conflicting Content-Length,
                      // Content-Length with Transfer-Encoding) or not what was declared
  headers_too_large,  // response headers over the fetcher's limit (64 KiB)
  bad_status,         // a status code outside 100-599
  queue_unavailable,  // the queue's server cannot be reached or the connection was lost;
                      // retry later (a Redis queue reconnects with backoff)
  redis,              // Redis answered a command with an error (OOM, READONLY, script error)
  // Local faults: our own disk (the spool or a folder store), never the job's fault. The
  // engine pauses fetching, charges no attempt and never dead-letters for them.
  disk_full,     // ENOSPC, EDQUOT
  read_only,     // EROFS
  local_denied,  // EACCES, EPERM on a file or folder sluice itself writes
  local_io,      // any other failure to write, flush or rename a local file (EIO, ...)
};

// How the engine acts on a failure (design.md, "Failures"). local: our side failed (a
// full or read-only disk, permission lost), not the job nor the provider: pause fetching
// until it clears, charge nothing, tell neither the circuit breaker nor slow-down.
enum class ErrorClass { none, permanent, transient, slow_down, storage, free_retry, local };

std::string_view reason_name(Reason r);
bool reason_from_name(std::string_view name, Reason* out);

struct Error {
  Reason reason = Reason::ok;
  int http_status = 0;  // set when reason == http_status
  std::string detail;   // human readable: what and where

  // "http_404", "timeout", ...
  std::string code() const;
  std::string to_string() const;  // "code: detail"
};

Error make_error(Reason r, std::string detail);
Error http_error(int status, std::string detail);

// The failure class of an error as the design's failure table defines it.
ErrorClass classify(const Error& e);

// A value or an error. Small on purpose: the hot path passes these around by value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};

// Result<void>: ok or an error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return error_.reason == Reason::ok; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
};

}  // namespace sluice
