#include "engine/engine.h"

#include <unistd.h>

#include <algorithm>
#include <system_error>

namespace sluice {

Engine::Engine(Queue& queue, Gate& gate, Fetcher& fetcher, Store& store, const KeyTemplate& keys,
               const HostLimits& limits, const Clock& clock, Logger& log, EngineOptions options)
    : queue_(queue),
      gate_(gate),
      fetcher_(fetcher),
      store_(store),
      keys_(keys),
      limits_(limits),
      clock_(clock),
      log_(log),
      opt_(options),
      backoff_(options.backoff_base_ms, options.backoff_cap_ms, options.seed),
      store_backoff_(options.store_retry_base_ms, options.store_retry_cap_ms,
                     options.seed ? options.seed + 1 : 0) {}

void Engine::request_stop() {
  stop_requested_.store(true);
  fetcher_.wakeup();
}

EngineProgress Engine::progress() const {
  EngineProgress p = counters_;
  p.in_flight = fetching_.size();
  p.storing = storing_.size();
  size_t buffered = 0;
  for (const auto& [host, jobs] : buffered_) buffered += jobs.size();
  p.buffered = buffered;
  p.elapsed_ms = clock_.steady_ms() - started_ms_;
  p.stopping = stopping_;
  return p;
}

std::filesystem::path Engine::temp_path(uint64_t tag) const {
  return store_.spool_dir() /
         ("fetch-" + std::to_string(::getpid()) + "-" + std::to_string(tag) + ".part");
}

Status Engine::run() {
  started_ms_ = clock_.steady_ms();
  last_commit_ms_ = started_ms_;
  auto stats = queue_.stats();
  if (!stats.ok()) return stats.error();
  counters_.queued_at_start = stats->all.queued;
  store_.set_notifier([this] { fetcher_.wakeup(); });

  for (;;) {
    int64_t now = clock_.now_ms();
    if (stop_requested_.load() && !stopping_) begin_stop(now);
    if (stopping_ && !cancelled_ && clock_.steady_ms() >= stop_deadline_ms_ &&
        !fetching_.empty()) {
      log_.warn("grace period over: aborting " + std::to_string(fetching_.size()) +
                " transfers; their jobs go back to the queue");
      fetcher_.cancel_all();
      cancelled_ = true;
    }
    if (!stopping_) {
      refill(now);
      retry_stores(now);
      start_ready(now);
    }
    if (finished(now)) break;

    int64_t wait_ms = std::max<int64_t>(1, next_wake(now) - now);
    for (auto& r : fetcher_.wait(std::chrono::milliseconds(wait_ms))) {
      on_fetched(std::move(r), clock_.now_ms());
    }
    for (const auto& r : store_.poll()) on_stored(r, clock_.now_ms());

    now = clock_.now_ms();
    if (pending_.size() >= opt_.commit_max ||
        (!pending_.empty() && clock_.steady_ms() - last_commit_ms_ >= opt_.commit_interval_ms)) {
      Status s = commit(now);
      if (!s.ok()) return s;
    }
    if (fatal_.reason != Reason::ok && !stopping_) begin_stop(now);
    report(now, false);
  }
  store_.set_notifier(nullptr);
  Status s = commit(clock_.now_ms());
  report(clock_.now_ms(), true);
  if (!s.ok()) return s;
  if (fatal_.reason != Reason::ok) return fatal_;
  return Status();
}

// Leases more jobs when the buffers run low, skipping hosts whose buffers are full.
void Engine::refill(int64_t now) {
  if (clock_.steady_ms() < next_lease_ms_) return;
  size_t buffered = 0;
  LeaseRequest req;
  for (const auto& [host, jobs] : buffered_) {
    buffered += jobs.size();
    size_t host_max =
        std::max(opt_.per_host_buffer, static_cast<size_t>(2 * limits_.cap_for(host)));
    if (jobs.size() >= host_max) req.skip_hosts.push_back(host);
  }
  if (buffered >= opt_.lease_batch) return;
  req.max = opt_.lease_batch;
  req.now_ms = now;
  req.lease_ms = opt_.lease_ms;
  auto leased = queue_.lease(req);
  if (!leased.ok()) {
    log_.error("lease failed: " + leased.error().to_string());
    fatal_ = leased.error();
    return;
  }
  for (auto& job : *leased) buffered_[job.host_key].push_back(std::move(job));
  // A short lease means the queue has nothing more ready: look again later, not every turn.
  if (leased->size() < req.max) next_lease_ms_ = clock_.steady_ms() + opt_.idle_poll_ms;
}

// Starts a download for every buffered job whose host has a free slot.
void Engine::start_ready(int64_t now) {
  // Backpressure: the store is failing, or is behind by more than max_storing objects.
  if (!store_waiting_.empty() || storing_.size() >= opt_.max_storing) return;
  for (auto it = buffered_.begin(); it != buffered_.end();) {
    auto& [host, jobs] = *it;
    bool batch_busy = opt_.mode == WindowMode::batch && active_per_host_[host] > 0;
    while (!jobs.empty() && !batch_busy && gate_.try_acquire(host, now)) {
      uint64_t tag = next_tag_++;
      Active a;
      a.job = std::move(jobs.front());
      jobs.pop_front();
      FetchRequest req{tag, a.job.url, host, temp_path(tag)};
      fetching_.emplace(tag, std::move(a));
      ++active_per_host_[host];
      fetcher_.start(std::move(req));
    }
    it = jobs.empty() ? buffered_.erase(it) : std::next(it);
  }
}

void Engine::on_fetched(FetchResult r, int64_t now) {
  auto node = fetching_.extract(r.tag);
  if (node.empty()) {
    log_.error("internal: fetch result for unknown tag " + std::to_string(r.tag));
    return;
  }
  Active a = std::move(node.mapped());
  const std::string& host = a.job.host_key;
  gate_.release(host);
  if (--active_per_host_[host] == 0) active_per_host_.erase(host);

  ErrorClass cls = classify(r.error);
  Feedback fb{cls, static_cast<int>(r.http_status), 0};
  int64_t retry_after_ms = 0;
  if (cls == ErrorClass::slow_down && !r.retry_after.empty()) {
    retry_after_ms = std::min(parse_retry_after_ms(r.retry_after, now), opt_.retry_after_cap_ms);
    fb.retry_after_ms = retry_after_ms;
  }
  gate_.feedback(host, fb, now);

  if (r.error.reason != Reason::ok) {
    fail(a, r.error, now, retry_after_ms);
    return;
  }
  auto url = parse_url(r.effective_url.empty() ? a.job.url : r.effective_url);
  KeyFields f;
  f.id = a.job.id;
  f.url = a.job.url;
  f.sha256 = r.sha256;
  f.url_sha256 = sha256_hex(a.job.url);
  f.ext = ext_for(r.content_type, url.ok() ? url->path : std::string());
  f.host = url.ok() ? url->host : std::string();
  auto key = keys_.render(f);
  if (!key.ok()) {
    std::error_code ec;
    std::filesystem::remove(r.temp_file, ec);
    fail(a, make_error(Reason::bad_key, key.error().detail), now, 0);
    return;
  }
  a.key = *key;
  a.fetch = std::move(r);
  uint64_t tag = a.fetch.tag;
  PutRequest put{tag,         a.fetch.temp_file, a.key,     a.fetch.content_type,
                 a.fetch.sha256, a.fetch.bytes,  a.job.url};
  storing_.emplace(tag, std::move(a));
  store_.put(std::move(put));
}

void Engine::on_stored(const PutResult& r, int64_t now) {
  auto it = storing_.find(r.tag);
  if (it == storing_.end()) {
    log_.error("internal: store result for unknown tag " + std::to_string(r.tag));
    return;
  }
  Active& a = it->second;
  if (r.status.ok()) {
    Transition t;
    t.kind = Transition::Kind::complete;
    t.seq = a.job.seq;
    t.manifest = ManifestEntry{a.key,          a.fetch.sha256, a.fetch.bytes,
                               a.fetch.content_type, a.fetch.etag, a.fetch.last_modified};
    push(std::move(t));
    ++counters_.done;
    counters_.bytes += a.fetch.bytes;
    storing_.erase(it);
    return;
  }
  const Error& e = r.status.error();
  if (classify(e) == ErrorClass::permanent || e.reason == Reason::io) {
    // No retry of the store can help: a key that is not valid for this store is
    // permanent; a lost temp file means fetching again.
    std::error_code ec;
    std::filesystem::remove(a.fetch.temp_file, ec);
    fail(a, e, now, 0);
    storing_.erase(it);
    return;
  }
  if (e.reason == Reason::store_denied) {
    // Unrecoverable: stop the run; the job goes back to the queue untouched.
    log_.error("store refuses writes, stopping: " + e.to_string());
    if (fatal_.reason == Reason::ok) fatal_ = e;
    std::error_code ec;
    std::filesystem::remove(a.fetch.temp_file, ec);
    push(Transition{Transition::Kind::release, a.job.seq, {}, 0, {}, {}});
    storing_.erase(it);
    return;
  }
  // Retry the store later; fetching pauses meanwhile (backpressure). Never dead-letter.
  int64_t delay = store_backoff_.delay_ms(a.store_failures++);
  a.store_retry_at_ms = now + delay;
  log_.warn("store failed for " + a.key + " (" + e.to_string() + "); retrying in " +
            std::to_string(delay) + " ms, fetching paused");
  store_waiting_.push_back(r.tag);
}

void Engine::retry_stores(int64_t now) {
  for (auto it = store_waiting_.begin(); it != store_waiting_.end();) {
    Active& a = storing_.at(*it);
    if (a.store_retry_at_ms > now) {
      ++it;
      continue;
    }
    store_.put(PutRequest{*it, a.fetch.temp_file, a.key, a.fetch.content_type, a.fetch.sha256,
                          a.fetch.bytes, a.job.url});
    it = store_waiting_.erase(it);
  }
}

void Engine::fail(Active& a, const Error& e, int64_t now, int64_t retry_after_ms) {
  ErrorClass cls = classify(e);
  Transition t;
  t.seq = a.job.seq;
  t.error_code = e.code();
  t.error_detail = e.detail;
  if (cls == ErrorClass::free_retry) {
    t.kind = Transition::Kind::defer;
    t.not_before_ms = now + (e.reason == Reason::cancelled ? 0 : 100);
    push(std::move(t));
    return;
  }
  bool exhausted = a.job.attempts + 1 >= opt_.max_attempts;
  if (cls == ErrorClass::permanent || exhausted) {
    t.kind = Transition::Kind::bury;
    if (exhausted && cls != ErrorClass::permanent) {
      t.error_detail += " (after " + std::to_string(a.job.attempts + 1) + " attempts)";
    }
    ++counters_.dead;
    log_.info("dead: " + a.job.id + " " + e.to_string());
  } else {
    t.kind = Transition::Kind::retry;
    t.not_before_ms = now + std::max(retry_after_ms, backoff_.delay_ms(a.job.attempts));
    ++counters_.retried;
  }
  push(std::move(t));
}

void Engine::push(Transition t) { pending_.push_back(std::move(t)); }

Status Engine::commit(int64_t now) {
  last_commit_ms_ = clock_.steady_ms();
  if (pending_.empty()) return Status();
  Status s = queue_.apply(pending_, now);
  if (!s.ok()) {
    log_.error("queue commit failed: " + s.error().to_string());
    return s;
  }
  // Re-queued jobs may be ready soon: let the next turn lease again.
  next_lease_ms_ = 0;
  pending_.clear();
  return Status();
}

void Engine::begin_stop(int64_t now) {
  (void)now;
  stopping_ = true;
  stop_deadline_ms_ = clock_.steady_ms() + opt_.grace_ms;
  release_buffered();
  // Jobs whose store keeps failing go back to the queue; their temp files are removed.
  for (uint64_t tag : store_waiting_) {
    auto it = storing_.find(tag);
    std::error_code ec;
    std::filesystem::remove(it->second.fetch.temp_file, ec);
    push(Transition{Transition::Kind::release, it->second.job.seq, {}, 0, {}, {}});
    storing_.erase(it);
  }
  store_waiting_.clear();
  if (!fetching_.empty()) {
    log_.info("stopping: waiting up to " + std::to_string(opt_.grace_ms / 1000) + " s for " +
              std::to_string(fetching_.size()) + " transfers");
  }
}

void Engine::release_buffered() {
  for (auto& [host, jobs] : buffered_) {
    for (const Job& j : jobs) push(Transition{Transition::Kind::release, j.seq, {}, 0, {}, {}});
  }
  buffered_.clear();
}

int64_t Engine::next_wake(int64_t now) const {
  int64_t wake = now + opt_.progress_interval_ms;
  if (!pending_.empty()) {
    wake = std::min(wake, now + opt_.commit_interval_ms -
                              (clock_.steady_ms() - last_commit_ms_));
  }
  for (uint64_t tag : store_waiting_) wake = std::min(wake, storing_.at(tag).store_retry_at_ms);
  if (!stopping_ && next_lease_ms_ > 0) {
    wake = std::min(wake, now + (next_lease_ms_ - clock_.steady_ms()));
  }
  if (stopping_) wake = std::min(wake, now + (stop_deadline_ms_ - clock_.steady_ms()));
  return wake;
}

// True when nothing is left to do: stopped and drained, or (without --follow) the queue
// has no job queued at all.
bool Engine::finished(int64_t now) {
  (void)now;
  if (!fetching_.empty() || !storing_.empty() || store_.in_flight() > 0) return false;
  if (stopping_) return true;
  if (fatal_.reason != Reason::ok) return false;  // begin_stop comes first
  if (!buffered_.empty() || !pending_.empty()) return false;
  if (opt_.follow) return false;
  if (clock_.steady_ms() < next_lease_ms_) {
    auto next = queue_.next_ready_ms();
    if (!next.ok()) {
      fatal_ = next.error();
      return false;
    }
    return !next->has_value();
  }
  return false;
}

void Engine::report(int64_t now, bool force) {
  (void)now;
  int64_t t = clock_.steady_ms();
  if (!progress_fn_ || (!force && t - last_report_ms_ < opt_.progress_interval_ms)) return;
  last_report_ms_ = t;
  progress_fn_(progress());
}

}  // namespace sluice
