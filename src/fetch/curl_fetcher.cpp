#include "fetch/curl_fetcher.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "fetch/easy_options.h"
#include "fetch/transfer.h"

namespace sluice {
namespace {

void global_init_once() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    throw std::runtime_error(std::string("curl_global_init: ") + curl_easy_strerror(rc));
  }
}

}  // namespace

CurlFetcher::CurlFetcher(FetchOptions options, ConnectionObserver* observer, Logger* logger)
    : options_(std::move(options)),
      logger_(logger),
      sockets_(observer, logger, options_.allow_private),
      easy_pool_(options_, static_cast<void*>(&sockets_)) {
  global_init_once();
  sockets_.report_to(&loop_);
  multi_ = make_multi();
}

CurlFetcher::~CurlFetcher() {
  remove_all_transfers();
  multi_.reset();  // closes the cached connections, reported through sockets_
  if (sockets_.open_sockets() != 0 && logger_) {
    logger_->warn("fetcher: " + std::to_string(sockets_.open_sockets()) +
                  " sockets still open after cleanup");
  }
}

CurlFetcher::MultiPtr CurlFetcher::make_multi() {
  MultiPtr multi(curl_multi_init());
  if (!multi) throw std::runtime_error("curl_multi_init failed");
  if (Status s = configure_multi(multi.get(), options_); !s.ok()) {
    throw std::runtime_error(s.error().to_string());
  }
  if (Status s = loop_.attach(multi.get()); !s.ok()) {
    throw std::runtime_error(s.error().to_string());
  }
  return multi;
}

void CurlFetcher::start(FetchRequest req) {
  auto t = std::make_unique<Transfer>(std::move(req), options_, &sockets_, &easy_pool_);
  if (!t->start()) {
    ready_.push_back(t->take_result());
    return;
  }
  if (CURLMcode mc = curl_multi_add_handle(multi_.get(), t->easy()); mc != CURLM_OK) {
    t->fail(make_error(Reason::internal,
                       std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc)));
    ready_.push_back(t->take_result());
    return;
  }
  Transfer* key = t.get();
  transfers_.emplace(key, std::move(t));
}

// Hands a finished transfer's result to ready_ and frees it; its handle is already out of
// the multi handle.
void CurlFetcher::finish(Transfer* t) {
  auto it = transfers_.find(t);
  ready_.push_back(t->take_result());
  if (it != transfers_.end()) transfers_.erase(it);
}

void CurlFetcher::collect_done() {
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;  // msg is invalid after remove_handle: copy first
    const CURLcode code = msg->data.result;
    void* priv = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    auto* t = static_cast<Transfer*>(priv);
    curl_multi_remove_handle(multi_.get(), easy);
    if (t == nullptr) continue;  // not ours; cannot happen
    if (t->on_hop_done(code)) {  // a redirect: same transfer, same slot, next hop
      if (CURLMcode mc = curl_multi_add_handle(multi_.get(), easy); mc == CURLM_OK) continue;
      t->fail(make_error(Reason::internal, "curl_multi_add_handle failed on a redirect"));
    }
    finish(t);
  }
}

std::chrono::steady_clock::time_point CurlFetcher::check_deadlines(
    std::chrono::steady_clock::time_point now) {
  auto next = std::chrono::steady_clock::time_point::max();
  std::vector<Transfer*> cut;
  for (auto& [t, owned] : transfers_) {
    if (t->draining()) continue;
    if (now < t->deadline()) {
      next = std::min(next, t->deadline());
      continue;
    }
    if (t->check_deadline(now) == Transfer::Overdue::cut_now) {
      cut.push_back(t);
    } else if (logger_) {
      logger_->debug("timeout: " + t->url() +
                     ": reading the rest of the response into nothing, so its slot frees "
                     "when the provider is done (at most " +
                     std::to_string(options_.abandon_hold_ms) + " ms more)");
    }
  }
  for (Transfer* t : cut) {  // the request never left: nothing to wait for
    curl_multi_remove_handle(multi_.get(), t->easy());
    t->cancel();
    finish(t);
  }
  return next;
}

std::vector<FetchResult> CurlFetcher::wait(std::chrono::milliseconds max_wait) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + max_wait;
  bool woken = false;
  bool waited = false;
  for (;;) {
    if (!waited) {
      // Sockets that are ready go to libcurl with their readiness before its timeout action
      // runs the transfers: told nothing, libcurl would poll() each transfer's socket itself.
      CURLMcode mc = CURLM_OK;
      woken = loop_.poll_ready(multi_.get(), &mc);
      log_multi_error(mc);
    }
    log_multi_error(loop_.run_due_timeout(multi_.get()));
    collect_done();
    const Clock::time_point next_deadline = check_deadlines(Clock::now());
    if (!ready_.empty()) return std::exchange(ready_, {});
    if (woken) return {};
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return {};
    Clock::time_point until = std::min(deadline, next_deadline);
    if (auto t = loop_.next_timeout()) until = std::min(until, *t);
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now);
    const int timeout_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60'000));
    CURLMcode mc = CURLM_OK;
    // A wakeup() since the last wait() is still pending in the loop: it returns at once.
    woken = loop_.wait(multi_.get(), timeout_ms, &mc);
    waited = true;
    log_multi_error(mc);
  }
}

void CurlFetcher::log_multi_error(CURLMcode mc) const {
  if (mc != CURLM_OK && logger_) {
    logger_->error(std::string("curl_multi_socket_action: ") + curl_multi_strerror(mc));
  }
}

void CurlFetcher::wakeup() { loop_.wakeup(); }

size_t CurlFetcher::in_flight() const { return transfers_.size() + ready_.size(); }

void CurlFetcher::remove_all_transfers() {
  for (auto& [t, owned] : transfers_) {
    curl_multi_remove_handle(multi_.get(), t->easy());  // closes an unfinished connection
    t->cancel();
    ready_.push_back(t->take_result());
  }
  transfers_.clear();
}

void CurlFetcher::cancel_all() {
  remove_all_transfers();
  replace_multi();
}

bool CurlFetcher::close_idle_connections() {
  if (!transfers_.empty()) return false;
  if (sockets_.open_sockets() > 0) replace_multi();
  return true;
}

void CurlFetcher::replace_multi() {
  // A fresh multi handle; cleaning up the old one closes every cached connection.
  MultiPtr old = std::move(multi_);
  old.reset();            // detached from the loop first (MultiDeleter)
  multi_ = make_multi();  // the loop survives: a wakeup that came meanwhile still counts
}

}  // namespace sluice
