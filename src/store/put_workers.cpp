#include "store/put_workers.h"

#include <algorithm>
#include <utility>

namespace sluice {

PutWorkers::PutWorkers(int threads, Work work, std::chrono::milliseconds stall)
    : work_(std::move(work)), stall_(stall), count_(static_cast<size_t>(std::max(threads, 0))) {
  for (size_t i = 0; i < count_; ++i) threads_.emplace_back([this] { loop(); });
}

PutWorkers::~PutWorkers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool PutWorkers::take_wake() {
  if (idle_ == 0 || todo_.empty()) return false;
  const size_t awake = count_ - idle_;
  if (awake > 0 && todo_.size() <= kBacklogPerWorker * awake &&
      std::chrono::steady_clock::now() - progress_ < stall_) {
    return false;
  }
  --idle_;  // counted awake from now: it has stall_ to start
  ++wakes_;
  progress_ = std::chrono::steady_clock::now();
  return true;
}

void PutWorkers::submit(PutRequest req) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (todo_.empty()) progress_ = std::chrono::steady_clock::now();  // nothing was waiting
    todo_.push_back(std::move(req));
    ++pending_;
    wake = take_wake();
  }
  if (wake) cv_.notify_one();
}

std::vector<PutResult> PutWorkers::take_results() {
  std::vector<PutResult> out;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ -= results_.size();
    out = std::exchange(results_, {});
    wake = take_wake();
  }
  if (wake) cv_.notify_one();
  return out;
}

size_t PutWorkers::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

size_t PutWorkers::sleeping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_;
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
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (todo_.empty()) {
      if (stopping_) return;
      ++idle_;
      cv_.wait(lock, [this] { return stopping_ || wakes_ > 0; });
      if (wakes_ > 0) {
        --wakes_;  // take_wake() counted this worker awake already
      } else {
        --idle_;  // woken to stop: finishes what is queued first
      }
      continue;
    }
    PutRequest req = std::move(todo_.front());
    todo_.pop_front();
    progress_ = std::chrono::steady_clock::now();
    lock.unlock();
    PutResult r = work_(req);
    r.tag = req.tag;
    lock.lock();
    progress_ = std::chrono::steady_clock::now();
    // One wake-up per batch: results already waiting have woken the caller, whose next
    // take_results() collects this one too.
    const bool first = results_.empty();
    results_.push_back(std::move(r));
    if (first) {
      lock.unlock();
      notify();
      lock.lock();
    }
  }
}

}  // namespace sluice
