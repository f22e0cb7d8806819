// Transfer's libcurl callbacks: response headers, body bytes and socket opening.
#include <strings.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "fetch/transfer.h"
#include "util/text.h"

namespace sluice {
namespace {

constexpr uint64_t kMaxDiscardBytes = 1 << 20;  // of a non-2xx body, to keep the connection

// Response headers beyond this are refused (headers_too_large). libcurl's own limits (100
// KiB a line, 300 KiB in all) fail with misleading codes (out of memory, receive error).
constexpr uint64_t kMaxHeaderBytes = 64 << 10;

// A Content-Length value: digits only, no sign, no overflow.
std::optional<uint64_t> parse_length(std::string_view v) {
  if (v.empty() || v.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

void Transfer::new_response() {
  keep_body_ = false;
  hop_bytes_ = 0;
  result_.head.clear();
  result_.content_type.clear();
  result_.etag.clear();
  result_.last_modified.clear();
  result_.retry_after.clear();
  declared_length_.reset();
  length_conflict_ = chunked_ = headers_complete_ = false;
  header_bytes_ = 0;
}

void Transfer::header_line(std::string_view line) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view name = trim_header(line.substr(0, colon));
  const std::string value(trim_header(line.substr(colon + 1)));
  if (iequals(name, "Content-Type")) {
    result_.content_type = value;
  } else if (iequals(name, "ETag")) {
    result_.etag = value;
  } else if (iequals(name, "Last-Modified")) {
    result_.last_modified = value;
  } else if (iequals(name, "Retry-After")) {
    result_.retry_after = value;
  } else if (iequals(name, "Content-Length")) {
    std::optional<uint64_t> n = parse_length(value);
    if (!n || (declared_length_ && *declared_length_ != *n)) length_conflict_ = true;
    if (n) declared_length_ = n;
  } else if (iequals(name, "Transfer-Encoding")) {
    chunked_ = true;
  }
}

// The blank line after a response's headers. false aborts the hop (abort_ says why).
bool Transfer::headers_done() {
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status >= 100 && status < 200) return true;  // interim; the real response follows
  headers_complete_ = true;
  // Where this response ends is ambiguous, so where the next one on the connection
  // starts is too: refuse it (and so close the connection), whatever its status.
  if (length_conflict_ || (declared_length_ && chunked_)) {
    abort_ = make_error(Reason::bad_framing,
                        "HTTP " + std::to_string(status) + " with " +
                            (length_conflict_ ? "conflicting Content-Length headers"
                                              : "both Content-Length and Transfer-Encoding") +
                            " (" + url_ + ")");
    return false;
  }
  keep_body_ = status >= 200 && status < 300;
  if (!keep_body_) return true;
  curl_off_t length = -1;
  curl_easy_getinfo(easy_.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  if (length > 0 && static_cast<uint64_t>(length) > options_.max_bytes) {
    abort_ = make_error(Reason::too_large,
                        "Content-Length " + std::to_string(length) + " is over the limit of " +
                            std::to_string(options_.max_bytes) + " (" + url_ + ")");
    return false;
  }
  // Once per transfer (trailers end with a blank line too; a failed file stays failed).
  if (file_.is_open() || local_fault_ || in_memory_) return true;
  if (req_.memory_limit > 0 && (!declared_length_ || *declared_length_ <= req_.memory_limit)) {
    in_memory_ = true;  // the body stays in memory unless it turns out longer (spill())
    if (declared_length_) mem_.reserve(static_cast<size_t>(*declared_length_));
    return true;
  }
  if (Status s = file_.create(req_.temp_file); !s.ok()) local_fault_ = s.error();
  return true;
}

// A body kept in memory grew past FetchRequest::memory_limit: what it holds goes to the
// temp file, hashed, and the rest follows it there. false: the file failed (local_fault_).
bool Transfer::spill() {
  in_memory_ = false;
  std::string held = std::exchange(mem_, std::string());
  if (Status s = file_.create(req_.temp_file); !s.ok()) {
    local_fault_ = s.error();
    return false;
  }
  return to_file(held.data(), held.size());
}

// Body bytes to the temp file, hashed. false: the write failed (local_fault_), and the file
// is gone, which gives the space back at once.
bool Transfer::to_file(const char* data, size_t size) {
  if (Status s = file_.write(data, size); !s.ok()) {
    local_fault_ = s.error();
    file_.discard();
    return false;
  }
  hash_.update(data, size);
  return true;
}

bool Transfer::body(const char* data, size_t size) {
  hop_bytes_ += size;
  if (timed_out_) {
    // Past the deadline: read into nothing until the provider ends the response (a body
    // over the limit is cut; abort_ records the cut, the error stays timeout).
    if (hop_bytes_ <= options_.max_bytes) return true;
    abort_ = make_error(Reason::too_large, "body over the limit while draining (" + url_ + ")");
    return false;
  }
  if (!keep_body_) {
    if (hop_bytes_ <= std::min<uint64_t>(kMaxDiscardBytes, options_.max_bytes)) return true;
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    abort_ = http_error(static_cast<int>(status), "HTTP " + std::to_string(status) + " from " +
                                                      url_ + " (long body dropped)");
    return false;
  }
  if (hop_bytes_ > options_.max_bytes) {
    abort_ = make_error(Reason::too_large, "body is over the limit of " +
                                               std::to_string(options_.max_bytes) + " bytes (" +
                                               url_ + ")");
    return false;
  }
  if (local_fault_) return true;  // keep reading so the request ends normally; drop it
  if (result_.head.size() < kHeadBytes) {
    result_.head.append(data, std::min(size, kHeadBytes - result_.head.size()));
  }
  if (in_memory_ && hop_bytes_ <= req_.memory_limit) {
    mem_.append(data, size);
    return true;
  }
  if (in_memory_ && !spill()) return true;
  to_file(data, size);  // a failure is recorded: the rest is read and dropped
  return true;
}

size_t Transfer::header_callback(char* data, size_t size, size_t n, void* clientp) {
  auto* t = static_cast<Transfer*>(clientp);
  const size_t len = size * n;
  const std::string_view line(data, len);
  t->header_bytes_ += len;
  if (t->header_bytes_ > kMaxHeaderBytes) {
    t->abort_ = make_error(
        Reason::headers_too_large,
        "response headers over " + std::to_string(kMaxHeaderBytes) + " bytes (" + t->url_ + ")");
    return 0;
  }
  if (line.substr(0, 5) == "HTTP/") {
    t->new_response();  // a status line: a new response (interim or after 1xx)
    t->header_bytes_ = len;
  } else if (trim_header(line).empty()) {
    return t->headers_done() ? len : 0;
  } else {
    t->header_line(line);
  }
  return len;
}

size_t Transfer::write_callback(char* data, size_t size, size_t n, void* clientp) {
  const size_t len = size * n;
  return static_cast<Transfer*>(clientp)->body(data, len) ? len : 0;
}

int Transfer::prereq_callback(void* clientp, char*, char*, int, int) {
  auto* t = static_cast<Transfer*>(clientp);
  if (t->sockets_->may_send(t->host_key_)) return CURL_PREREQFUNC_OK;
  t->send_refused_ = true;
  return CURL_PREREQFUNC_ABORT;
}

curl_socket_t Transfer::open_socket_callback(void* clientp, curlsocktype purpose,
                                             curl_sockaddr* addr) {
  auto* t = static_cast<Transfer*>(clientp);
  if (purpose != CURLSOCKTYPE_IPCXN || addr == nullptr) return CURL_SOCKET_BAD;
  SocketRefusal why = SocketRefusal::none;
  std::string detail;
  const curl_socket_t s = t->sockets_->open(t->host_key_, *addr, &why, &detail);
  if (why == SocketRefusal::blocked_address) {
    t->blocked_ = true;
    t->blocked_detail_ = detail;
  } else if (why == SocketRefusal::gate_refused) {
    t->gate_refused_ = true;
  } else if (s != CURL_SOCKET_BAD) {
    ++t->sockets_opened_;
  }
  return s;
}

}  // namespace sluice
