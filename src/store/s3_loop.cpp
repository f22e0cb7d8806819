#include "store/s3_loop.h"

#include <exception>
#include <stdexcept>
#include <utility>

namespace sluice {

S3Loop::S3Loop(const S3Context& ctx, int concurrency, Logger* log)
    : ctx_(ctx),
      concurrency_(static_cast<size_t>(concurrency > 0 ? concurrency : 1)),
      log_(log),
      multi_(curl_multi_init()) {
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  // Keep a connection per concurrent transfer alive for reuse.
  curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(concurrency_));
  thread_ = std::thread([this] { loop(); });
}

S3Loop::~S3Loop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_.get());
  thread_.join();
  for (auto& [easy, r] : running_) curl_multi_remove_handle(multi_.get(), easy);
  running_.clear();  // before multi_ goes: the easy handles die first
}

void S3Loop::submit(PutRequest req) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued_.push_back(std::move(req));
    ++pending_;
  }
  curl_multi_wakeup(multi_.get());
}

std::vector<PutResult> S3Loop::take_results() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ -= results_.size();
  return std::exchange(results_, {});
}

size_t S3Loop::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

uint64_t S3Loop::skipped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return skipped_;
}

void S3Loop::set_notifier(std::function<void()> fn) {
  std::function<void()> old;
  {
    std::lock_guard<std::mutex> lock(notify_mu_);  // waits for a call in progress
    old = std::exchange(notify_, std::move(fn));
  }
}

void S3Loop::loop() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    start_queued();
    int still_running = 0;
    curl_multi_perform(multi_.get(), &still_running);
    // A finished request frees a slot or has a successor: fill and start before waiting.
    if (collect_done()) continue;
    // Socket activity, a timeout of libcurl's, or put() (curl_multi_wakeup) ends the wait.
    curl_multi_poll(multi_.get(), nullptr, 0, 1000, nullptr);
  }
}

void S3Loop::start_queued() {
  while (running_.size() < concurrency_) {
    PutRequest req;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queued_.empty() || stopping_) return;
      req = std::move(queued_.front());
      queued_.pop_front();
    }
    auto u = std::make_unique<S3Upload>(ctx_, std::move(req), log_);
    std::unique_ptr<S3Exchange> x;
    try {
      x = u->start();
    } catch (const std::exception& e) {
      // Out of memory, or libcurl refused an option: the engine retries the put.
      u->abandon(make_error(Reason::store_io, std::string("S3 request not set up: ") + e.what()));
    }
    run(std::move(u), std::move(x));
  }
}

void S3Loop::run(std::unique_ptr<S3Upload> u, std::unique_ptr<S3Exchange> x) {
  if (!x) {
    complete(*u);
    return;
  }
  CURL* easy = x->easy();
  if (curl_multi_add_handle(multi_.get(), easy) != CURLM_OK) {
    u->abandon(make_error(Reason::store_io, "curl_multi_add_handle failed"));
    complete(*u);
    return;
  }
  running_.emplace(easy, Running{std::move(u), std::move(x)});
}

bool S3Loop::collect_done() {
  bool any = false;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    any = true;
    CURL* easy = msg->easy_handle;
    CURLcode code = msg->data.result;
    auto node = running_.extract(easy);
    curl_multi_remove_handle(multi_.get(), easy);
    if (node.empty()) continue;
    Running r = std::move(node.mapped());
    r.exchange->finish(code);
    std::unique_ptr<S3Exchange> next;
    try {
      next = r.upload->next(*r.exchange);
    } catch (const std::exception& e) {
      r.upload->abandon(
          make_error(Reason::store_io, std::string("S3 request not set up: ") + e.what()));
    }
    r.exchange.reset();
    run(std::move(r.upload), std::move(next));
  }
  return any;
}

void S3Loop::complete(const S3Upload& u) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    results_.push_back(u.result());
    if (u.skipped()) ++skipped_;
  }
  std::lock_guard<std::mutex> lock(notify_mu_);
  if (notify_) notify_();
}

}  // namespace sluice
