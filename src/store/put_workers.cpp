#include "store/put_workers.h"

#include <utility>

namespace sluice {

PutWorkers::PutWorkers(int threads, Work work) : work_(std::move(work)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

PutWorkers::~PutWorkers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void PutWorkers::submit(PutRequest req) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    todo_.push_back(std::move(req));
    ++pending_;
  }
  cv_.notify_one();
}

std::vector<PutResult> PutWorkers::take_results() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ -= results_.size();
  return std::exchange(results_, {});
}

size_t PutWorkers::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

void PutWorkers::set_notifier(std::function<void()> fn) {
  std::function<void()> old;
  {
    std::lock_guard<std::mutex> lock(notify_mu_);  // waits for a call in progress
    old = std::exchange(notify_, std::move(fn));
  }
  // old is destroyed here, outside the lock: its captures may have destructors of their own.
}

void PutWorkers::notify() {
  std::lock_guard<std::mutex> lock(notify_mu_);
  if (notify_) notify_();
}

void PutWorkers::loop() {
  for (;;) {
    PutRequest req;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !todo_.empty(); });
      if (todo_.empty()) return;  // stopping, and nothing left to do
      req = std::move(todo_.front());
      todo_.pop_front();
    }
    Status s = work_(req);
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      first = results_.empty();
      results_.push_back(PutResult{req.tag, std::move(s)});
    }
    // One wake-up per batch: results already waiting have woken the caller, whose next
    // take_results() collects this one too.
    if (first) notify();
  }
}

}  // namespace sluice
