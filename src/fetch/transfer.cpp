#include "fetch/transfer.h"

#include <algorithm>
#include <utility>

#include "fetch/curl_errors.h"
#include "util/url.h"

namespace sluice {
namespace {

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Whether libcurl ended the hop with code by cutting the request (its own timeouts, a
// callback's refusal) rather than the provider ending it.
bool cut_by_curl(CURLcode code) {
  return code == CURLE_OPERATION_TIMEDOUT || code == CURLE_ABORTED_BY_CALLBACK ||
         code == CURLE_WRITE_ERROR;
}

}  // namespace

Transfer::Transfer(FetchRequest req, const FetchOptions& options, SocketBook* sockets,
                   EasyPool* pool)
    : req_(std::move(req)),
      options_(options),
      sockets_(sockets),
      pool_(pool),
      started_(std::chrono::steady_clock::now()),
      deadline_(started_ + std::chrono::milliseconds(options.total_timeout_ms)) {
  result_.tag = req_.tag;
  result_.temp_file = req_.temp_file;
  result_.effective_url = req_.url;
}

Status Transfer::set_callbacks(CURL* e, void* close_data) {
  auto set = [e](CURLoption opt, auto value) {
    return curl_easy_setopt(e, opt, value) == CURLE_OK;
  };
  const bool ok = set(CURLOPT_HEADERFUNCTION, &Transfer::header_callback) &&
                  set(CURLOPT_WRITEFUNCTION, &Transfer::write_callback) &&
                  set(CURLOPT_OPENSOCKETFUNCTION, &Transfer::open_socket_callback) &&
                  // Asks the gate before each request is sent (a reused connection too).
                  set(CURLOPT_PREREQFUNCTION, &Transfer::prereq_callback) &&
                  // Connections outlive transfers in the multi handle's cache and keep this
                  // pointer.
                  set(CURLOPT_CLOSESOCKETFUNCTION, &SocketBook::close_callback) &&
                  set(CURLOPT_CLOSESOCKETDATA, close_data);
  if (!ok) return make_error(Reason::internal, "libcurl refused a callback");
  return {};
}

bool Transfer::start() {
  auto easy = pool_->take();
  if (!easy.ok()) {
    finish(make_error(Reason::internal, easy.error().detail + ": " + req_.url));
    return false;
  }
  easy_ = std::move(*easy);
  CURL* e = easy_.get();
  auto set = [e](CURLoption opt, auto value) {
    return curl_easy_setopt(e, opt, value) == CURLE_OK;
  };
  void* self = this;
  Status s;
  // A pooled handle keeps its options: FORBID_REUSE is set either way, every transfer.
  if (!(set(CURLOPT_PRIVATE, self) && set(CURLOPT_ERRORBUFFER, errbuf_) &&
        set(CURLOPT_HEADERDATA, self) && set(CURLOPT_WRITEDATA, self) &&
        set(CURLOPT_OPENSOCKETDATA, self) && set(CURLOPT_PREREQDATA, self) &&
        set(CURLOPT_FORBID_REUSE, req_.close_when_done ? 1L : 0L))) {
    s = make_error(Reason::internal, "libcurl refused a callback");
  }
  if (s.ok()) s = begin_hop(req_.url);
  if (!s.ok()) {
    finish(s.error());
    return false;
  }
  return true;
}

Status Transfer::begin_hop(const std::string& url) {
  Result<UrlParts> parts = parse_url(url);
  if (!parts.ok()) {
    if (result_.redirects == 0) return parts.error();
    return make_error(Reason::bad_url,
                      "redirect from " + url_ + " refused: " + parts.error().detail);
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started_)
                           .count();
  const long remaining = options_.total_timeout_ms - static_cast<long>(elapsed);
  if (remaining <= 0) {
    return make_error(Reason::timeout, "total time used up before redirect to " + url);
  }
  url_ = url;
  host_key_ = parts->host_key;
  result_.effective_url = url_;
  new_response();
  abort_.reset();
  local_fault_.reset();
  blocked_ = gate_refused_ = send_refused_ = false;
  sockets_opened_ = 0;
  blocked_detail_.clear();
  errbuf_[0] = '\0';
  // libcurl's timeout is the drain's end; the deadline itself is checked by CurlFetcher.
  const long hard = remaining + std::max(0L, options_.abandon_hold_ms);
  if (curl_easy_setopt(easy_.get(), CURLOPT_URL, url_.c_str()) != CURLE_OK ||
      curl_easy_setopt(easy_.get(), CURLOPT_TIMEOUT_MS, hard) != CURLE_OK) {
    return make_error(Reason::bad_url, "libcurl refused URL " + url_);
  }
  return {};
}

Transfer::Overdue Transfer::check_deadline(std::chrono::steady_clock::time_point now) {
  if (timed_out_) return Overdue::draining;
  if (now < deadline_) return Overdue::no;
  long status = 0;  // as of the deadline: a response that began in time still tells the host is up
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  result_.http_status = status;
  timed_out_ = make_error(Reason::timeout, "no whole response within " +
                                               std::to_string(options_.total_timeout_ms) +
                                               " ms (--timeout) from " + url_);
  drop_body();  // nothing more is kept; body() reads into nothing from now on
  curl_off_t pretransfer_us = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  return pretransfer_us > 0 ? Overdue::draining : Overdue::cut_now;
}

bool Transfer::on_hop_done(CURLcode code) {
  if (timed_out_) {
    // The drain is over. No hold if the provider ended the response (complete, reset, closed).
    finish(*timed_out_, abort_.has_value() || cut_by_curl(code));
    return false;
  }
  if (abort_) {
    finish(*abort_, /*cut=*/true);
    return false;
  }
  if (send_refused_) {  // nothing was sent on this hop: nothing to hold
    finish(make_error(Reason::gate_refused,
                      "gate refused to send to " + host_key_ + " (" + url_ + ")"));
    return false;
  }
  if (local_fault_) {
    // Our disk failed, not the request: whatever the drained response did afterwards, the
    // result is the local fault, so the job is not charged for it.
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    result_.http_status = status;
    finish(*local_fault_, cut_by_curl(code));
    return false;
  }
  if (code != CURLE_OK) {
    long answered = 0;  // the status, when the failure came after the response began
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &answered);
    result_.http_status = answered;
    finish(transport_error(code), cut_by_curl(code));
    return false;
  }
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  result_.http_status = status;
  if (status < 100 || status > 599) {
    // Not a status HTTP defines: no rule says whether a retry could help.
    finish(make_error(Reason::bad_status, "HTTP status " + std::to_string(status) +
                                              " is not a valid code (" + url_ + ")"));
    return false;
  }
  if (status >= 200 && status < 300) {
    finish_ok();
    return false;
  }
  char* location = nullptr;
  if (is_redirect(status) &&
      curl_easy_getinfo(easy_.get(), CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
    const std::string next = location;
    if (result_.redirects >= options_.max_redirects) {
      finish(make_error(Reason::too_many_redirects,
                        "more than " + std::to_string(options_.max_redirects) +
                            " redirects; the last from " + url_ + " to " + next));
      return false;
    }
    ++result_.redirects;
    if (Status s = begin_hop(next); !s.ok()) {
      finish(s.error());
      return false;
    }
    return true;
  }
  finish(http_error(static_cast<int>(status), "HTTP " + std::to_string(status) + " from " + url_));
  return false;
}

void Transfer::fail(Error e) { finish(std::move(e)); }

void Transfer::cancel() {
  Error e = timed_out_ ? *timed_out_ : make_error(Reason::cancelled, "cancelled: " + url_);
  finish(std::move(e), /*cut=*/true);
}

void Transfer::drop_body() {
  file_.discard();
  in_memory_ = false;
  mem_ = std::string();
}

void Transfer::finish(Error e, bool cut) {
  drop_body();
  if (cut) result_.cut_host = host_key_;
  result_.error = std::move(e);
  result_.sha256.clear();
  result_.bytes = 0;
  result_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void Transfer::finish_ok() {
  if (declared_length_ && *declared_length_ != hop_bytes_) {
    finish(make_error(Reason::bad_framing, "received " + std::to_string(hop_bytes_) +
                                               " body bytes, Content-Length said " +
                                               std::to_string(*declared_length_) + " (" + url_ +
                                               ")"));
    return;
  }
  if (in_memory_ || (!file_.is_open() && req_.memory_limit > 0)) {
    // Unhashed: the store hashes it (fetcher.h).
    result_.body = std::make_shared<const std::string>(std::exchange(mem_, std::string()));
    in_memory_ = false;
  } else {
    // A 2xx creates the file when its headers end; a response without them still gets one.
    Status s = file_.is_open() ? Status() : file_.create(req_.temp_file);
    if (s.ok()) s = file_.keep();
    if (!s.ok()) {
      finish(s.error());
      return;
    }
    result_.sha256 = hash_.final_hex();
  }
  result_.error = Error{};
  result_.bytes = hop_bytes_;
  result_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

Error Transfer::transport_error(CURLcode code) const {
  // A refusal explains a failed connect only if no address got as far as a socket.
  const bool refused_all = code == CURLE_COULDNT_CONNECT && sockets_opened_ == 0;
  if (refused_all && gate_refused_) {
    return make_error(Reason::gate_refused,
                      "gate refused a connection to " + host_key_ + " (" + url_ + ")");
  }
  if (refused_all && blocked_) {
    return make_error(Reason::blocked_address, blocked_detail_ + " (" + url_ + ")");
  }
  if (code == CURLE_OUT_OF_MEMORY && !headers_complete_) {
    // libcurl's answer to one response header line over its 100 KiB limit.
    return make_error(Reason::headers_too_large,
                      "a response header line over libcurl's limit (" + url_ + ")");
  }
  const std::string what = errbuf_[0] != '\0' ? errbuf_ : curl_easy_strerror(code);
  return make_error(reason_for_curl_code(code), what + " (" + url_ + ")");
}

}  // namespace sluice
