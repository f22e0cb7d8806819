#include "fetch/fetch_lane.h"

#include <utility>

namespace sluice {
namespace {

// A turn waits this long at most when nothing happens; any post() or run() wakes it sooner.
constexpr std::chrono::milliseconds kIdleTurn(1000);

}  // namespace

FetchLane::FetchLane(const MakeFetcher& make, ConnectionObserver* observer, Sink sink)
    : counter_(observer), sink_(std::move(sink)), fetcher_(make(&counter_)) {
  thread_ = std::thread([this] { loop(); });
}

FetchLane::~FetchLane() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  fetcher_->wakeup();
  thread_.join();
  fetcher_.reset();  // its connections close here, on this thread, still counted
}

void FetchLane::post(FetchRequest req) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    inbox_.push_back(std::move(req));
    wake = !std::exchange(woken_, true);
  }
  // One wakeup per turn: the requests posted until the lane takes its inbox share it.
  if (wake) fetcher_->wakeup();
}

int FetchLane::open_to(const std::string& host_key) const { return counter_.open_to(host_key); }

void FetchLane::run(const std::function<void(Fetcher&)>& task) {
  Task t{&task, false, nullptr};
  std::unique_lock lock(mu_);
  tasks_.push_back(&t);
  woken_ = true;
  fetcher_->wakeup();
  done_cv_.wait(lock, [&t] { return t.done; });
  if (t.error) std::rethrow_exception(t.error);
}

void FetchLane::loop() {
  std::vector<FetchRequest> requests;
  std::vector<Task*> tasks;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      requests.swap(inbox_);
      tasks.swap(tasks_);
      woken_ = false;
    }
    for (FetchRequest& r : requests) fetcher_->start(std::move(r));
    requests.clear();
    for (Task* t : tasks) {
      std::exception_ptr error;
      try {
        (*t->fn)(*fetcher_);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mu_);
      t->error = error;
      t->done = true;
    }
    if (!tasks.empty()) done_cv_.notify_all();
    tasks.clear();
    std::vector<FetchResult> results = fetcher_->wait(kIdleTurn);
    if (!results.empty()) sink_(std::move(results));
  }
}

}  // namespace sluice
