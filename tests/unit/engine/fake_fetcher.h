// A Fetcher that runs in virtual time: wait() finishes the oldest transfer (its scripted
// body in memory within FetchRequest::memory_limit, else written to its temp file) or, with nothing
// to finish, advances the FakeClock by max_wait. It counts concurrency per host as the provider
// would.
#pragma once

#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fetch/fetcher.h"
#include "util/clock.h"
#include "util/sha256.h"

namespace sluice {

struct FakeResponse {
  Error error;  // ok for a 2xx
  long status = 200;
  std::string body = std::string("\xFF\xD8\xFF\xE0 a jpeg body", 17);
  std::string content_type = "image/jpeg";
  std::string retry_after;
  bool cut = false;  // the fetcher cut the request: FetchResult::cut_host is its host
};

class FakeFetcher final : public Fetcher {
 public:
  using Script = std::function<FakeResponse(const FetchRequest&, int call)>;
  FakeFetcher(FakeClock& clock, Script script) : clock_(clock), script_(std::move(script)) {}

  void start(FetchRequest req) override {
    int n = ++calls_[req.url];
    int now = ++in_flight_[req.host_key];
    max_in_flight_[req.host_key] = std::max(max_in_flight_[req.host_key], now);
    started_.push_back(req.url);
    memory_limits_.push_back(req.memory_limit);
    if (req.memory_limit > 0) max_in_memory_ = std::max(max_in_memory_, ++in_memory_);
    start_ms_.push_back(clock_.now_ms());
    active_.push_back({std::move(req), n});
  }

  std::vector<FetchResult> wait(std::chrono::milliseconds max_wait) override {
    if (trace_) trace_->push_back("wait");
    std::vector<FetchResult> out;
    if (!cancelled_.empty()) return std::exchange(cancelled_, {});
    if (active_.empty()) {
      clock_.advance_ms(max_wait.count());
      return out;
    }
    clock_.advance_ms(1);
    auto [req, call] = std::move(active_.front());
    active_.pop_front();
    --in_flight_[req.host_key];
    if (req.memory_limit > 0) --in_memory_;
    FakeResponse resp = script_(req, call);
    FetchResult r;
    r.tag = req.tag;
    r.error = resp.error;
    r.http_status = resp.status;
    r.retry_after = resp.retry_after;
    if (resp.cut) r.cut_host = req.host_key;
    if (r.error.reason == Reason::ok) {
      r.temp_file = req.temp_file;
      if (req.memory_limit > 0 && resp.body.size() <= req.memory_limit) {
        r.body = std::make_shared<const std::string>(resp.body);  // unhashed, as CurlFetcher's
      } else {
        std::ofstream(req.temp_file, std::ios::binary) << resp.body;
        r.sha256 = sha256_hex(resp.body);
      }
      r.bytes = resp.body.size();
      r.content_type = resp.content_type;
      r.head = resp.body.substr(0, kHeadBytes);
    }
    out.push_back(std::move(r));
    return out;
  }

  void wakeup() override {}
  size_t in_flight() const override { return active_.size(); }
  // Counts the calls; with cut_on_cancel(true), every running transfer comes back from the
  // next wait() as cancelled and cut (as CurlFetcher's do); otherwise they go on.
  void cancel_all() override {
    ++cancels_;
    if (!cut_on_cancel_) return;
    for (auto& a : active_) {
      FetchResult r;
      r.tag = a.req.tag;
      r.error = make_error(Reason::cancelled, "cancelled: " + a.req.url);
      r.cut_host = a.req.host_key;
      --in_flight_[a.req.host_key];
      if (a.req.memory_limit > 0) --in_memory_;
      cancelled_.push_back(std::move(r));
    }
    active_.clear();
  }
  // Like CurlFetcher's: closes the (imagined) idle connections only when nothing runs.
  bool close_idle_connections() override {
    if (!active_.empty()) return false;
    ++idle_closes_;
    if (trace_) trace_->push_back("close_idle");
    return true;
  }
  int idle_closes() const { return idle_closes_; }
  // Where wait() and close_idle_connections() write their names as they are called.
  void trace_into(std::vector<std::string>* trace) { trace_ = trace; }
  void cut_on_cancel(bool on) { cut_on_cancel_ = on; }
  int cancels() const { return cancels_; }

  int calls(const std::string& url) const {
    auto it = calls_.find(url);
    return it == calls_.end() ? 0 : it->second;
  }
  int max_in_flight(const std::string& host) const { return max_in_flight_.at(host); }
  size_t started() const { return started_.size(); }
  // Each transfer's FetchRequest::memory_limit, in order.
  const std::vector<uint64_t>& memory_limits() const { return memory_limits_; }
  // The most transfers with a memory_limit running at once.
  int max_in_memory() const { return max_in_memory_; }
  // When each transfer started (FakeClock::now_ms), in order.
  const std::vector<int64_t>& start_ms() const { return start_ms_; }

 private:
  struct Active {
    FetchRequest req;
    int call;
  };
  FakeClock& clock_;
  Script script_;
  std::deque<Active> active_;
  std::vector<FetchResult> cancelled_;
  bool cut_on_cancel_ = false;
  int cancels_ = 0;
  int idle_closes_ = 0;
  std::vector<std::string>* trace_ = nullptr;
  std::map<std::string, int> calls_;
  std::map<std::string, int> in_flight_;
  std::map<std::string, int> max_in_flight_;
  std::vector<std::string> started_;
  std::vector<int64_t> start_ms_;
  std::vector<uint64_t> memory_limits_;
  int in_memory_ = 0;
  int max_in_memory_ = 0;
};

}  // namespace sluice
