#include "fetch/parallel_fetcher.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "fetch/loop_choice.h"

namespace sluice {

ParallelFetcher::ParallelFetcher(size_t loops, const FetchLane::MakeFetcher& make,
                                 ConnectionObserver* observer, HostCap cap)
    : cap_(std::move(cap)), home_observer_(observer) {
  if (loops == 0) throw std::invalid_argument("ParallelFetcher: at least one loop");
  home_ = make(&home_observer_);
  lanes_.reserve(loops - 1);
  for (size_t k = 1; k < loops; ++k) {
    lanes_.push_back(
        std::make_unique<FetchLane>(make, observer, [this](std::vector<FetchResult> results) {
          // An earlier result that found ready_ empty woke the home loop already, and wait()
          // takes everything in ready_ once it is awake.
          if (take(std::move(results))) home_->wakeup();
        }));
  }
}

ParallelFetcher::~ParallelFetcher() {
  lanes_.clear();  // each joins its thread, then closes its connections
}

ParallelFetcher::Load ParallelFetcher::fresh_load(const std::string& host_key) const {
  Load load;
  load.in_flight.assign(loops(), 0);
  load.cap = std::max(1, cap_ ? cap_(host_key) : 1);
  return load;
}

int ParallelFetcher::open_to(size_t loop, const std::string& host_key) const {
  return loop == 0 ? home_observer_.open_to(host_key) : lanes_[loop - 1]->open_to(host_key);
}

size_t ParallelFetcher::choose(const std::string& host_key, const Load& load) const {
  return choose_loop(load.cap, load.in_flight,
                     [this, &host_key](size_t k) { return open_to(k, host_key); });
}

size_t ParallelFetcher::pick(const std::string& host_key) const {
  if (auto it = loads_.find(host_key); it != loads_.end()) return choose(host_key, it->second);
  return choose(host_key, fresh_load(host_key));
}

bool ParallelFetcher::take(std::vector<FetchResult> results) {
  std::lock_guard lock(mu_);
  const bool was_empty = ready_.empty();
  for (FetchResult& r : results) ready_.push_back(std::move(r));
  return was_empty;
}

void ParallelFetcher::start(FetchRequest req) {
  auto [it, fresh] = loads_.try_emplace(req.host_key);
  if (fresh) it->second = fresh_load(req.host_key);
  const size_t loop = choose(req.host_key, it->second);
  ++it->second.in_flight[loop];
  const uint64_t tag = next_tag_++;
  routes_.emplace(tag, Route{req.tag, loop, &*it});
  req.tag = tag;
  if (loop == 0) {
    home_->start(std::move(req));
  } else {
    lanes_[loop - 1]->post(std::move(req));
  }
}

std::vector<FetchResult> ParallelFetcher::wait(std::chrono::milliseconds max_wait) {
  bool waiting = false;
  {
    std::lock_guard lock(mu_);
    waiting = !ready_.empty();
  }
  // A lane's result wakes the home loop, so this returns as soon as any loop has one.
  std::vector<FetchResult> out = home_->wait(waiting ? std::chrono::milliseconds(0) : max_wait);
  {
    std::lock_guard lock(mu_);
    for (FetchResult& r : ready_) out.push_back(std::move(r));
    ready_.clear();
  }
  for (FetchResult& r : out) {
    auto route = routes_.find(r.tag);
    if (route == routes_.end()) continue;  // cannot happen: every result answers a start()
    r.tag = route->second.tag;
    Loads::value_type& host = *route->second.host;
    --host.second.in_flight[route->second.loop];
    routes_.erase(route);
    const std::vector<int>& busy = host.second.in_flight;
    if (std::all_of(busy.begin(), busy.end(), [](int n) { return n == 0; })) {
      loads_.erase(loads_.find(host.first));  // not by the key itself: it lives in the entry
    }
  }
  return out;
}

void ParallelFetcher::cancel_all() {
  home_->cancel_all();  // its cut results come back from its next wait()
  for (auto& lane : lanes_) {
    lane->run([this](Fetcher& f) {
      f.cancel_all();
      // The cut results, now: the caller's next wait() returns them.
      take(f.wait(std::chrono::milliseconds(0)));
    });
  }
}

bool ParallelFetcher::close_idle_connections() {
  if (!routes_.empty()) return false;
  bool closed = home_->close_idle_connections();
  for (auto& lane : lanes_) {
    lane->run([&closed](Fetcher& f) { closed = f.close_idle_connections() && closed; });
  }
  return closed;
}

}  // namespace sluice
