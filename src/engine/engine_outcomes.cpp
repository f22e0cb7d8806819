// What the engine does with a finished download or store: complete, retry, defer, bury.
#include <algorithm>
#include <system_error>

#include "engine/engine.h"

namespace sluice {

void Engine::on_fetched(FetchResult r, int64_t now) {
  auto node = fetching_.extract(r.tag);
  if (node.empty()) {
    log_.error("internal: fetch result for unknown tag " + std::to_string(r.tag));
    return;
  }
  Active a = std::move(node.mapped());
  if (r.body) {
    a.memory.shrink_to(r.body->size());
  } else {
    a.memory.reset();
  }
  const std::string& host = a.job.host_key;
  gate_.release(host);
  if (--active_per_host_[host] == 0) active_per_host_.erase(host);
  stats_->fetch_finished(host, r.error.reason == Reason::ok ? "ok" : r.error.code(), r.seconds,
                         r.bytes);
  if (!r.cut_host.empty() && opt_.abandon_hold_ms > 0) {
    // Cut while the provider may still be serving it: its slot stays taken a while.
    gate_.hold(r.cut_host, opt_.abandon_hold_ms);
    log_.debug("holding a slot of " + r.cut_host + " for " + std::to_string(opt_.abandon_hold_ms) +
               " ms: " + r.error.to_string());
  }

  ErrorClass cls = classify(r.error);
  int64_t retry_after_ms = 0;
  if (cls == ErrorClass::slow_down && !r.retry_after.empty()) {
    // An HTTP date becomes a delay on the wall clock, once; the gate applies it on the
    // steady clock (engine.h, Clocks).
    retry_after_ms = std::min(parse_retry_after_ms(r.retry_after, now), opt_.retry_after_cap_ms);
  }
  const int64_t steady = clock_.steady_ms();
  Feedback fb = feedback_for(r.error, retry_after_ms);
  if (cls != ErrorClass::local && r.error.reason != Reason::ok && r.http_status >= 200 &&
      r.http_status < 300) {
    // The provider answered 2xx and the body then failed (stalled, reset, cut short):
    // the host is up, so this says nothing to the circuit breaker or to slow-down.
    fb = Feedback{};
  }
  gate_.feedback(host, fb, steady);

  if (cls == ErrorClass::local) {
    // Our disk failed, not the job nor the provider (engine_disk.cpp).
    std::error_code ec;
    std::filesystem::remove(r.temp_file, ec);
    defer_for_disk(a, r.error);
    return;
  }
  if (r.error.reason != Reason::ok) {
    HostHealth health = gate_.health(host, steady);
    if (health.circuit != CircuitState::closed && cls != ErrorClass::free_retry) {
      // The provider is down or has suspended us: charge nothing, bury nothing. The job
      // stays leased at the front of its host's line, so it is the circuit's probe: a
      // request known to have failed, not a fresh one.
      std::error_code ec;
      std::filesystem::remove(r.temp_file, ec);
      log_.debug("deferred (circuit " + std::string(circuit_name(health.circuit)) +
                 "): " + a.job.id + " " + r.error.to_string());
      hold_job(std::move(a.job));
      ++counters_.deferred;
      return;
    }
    fail(a, r.error, now, retry_after_ms);
    return;
  }
  if (!r.body) disk_written();  // a whole body reached the spool
  if (Status c = check_content(opt_.content, r.content_type, r.head, a.job.url); !c.ok()) {
    std::error_code ec;
    std::filesystem::remove(r.temp_file, ec);
    fail(a, c.error(), now, 0);
    return;
  }
  KeyFields f;
  f.id = a.job.id;
  f.url = a.job.url;
  f.sha256 = r.sha256;
  if (keys_.needs_url_sha256()) f.url_sha256 = sha256_hex(a.job.url);
  f.ext = ext_for(r.content_type, std::string());
  // The URL is parsed only when the key needs what it gives: {host}, or the path's
  // extension for a Content-Type that names no image type.
  if (f.ext.empty() || keys_.needs_host()) {
    auto url = parse_url(r.effective_url.empty() ? a.job.url : r.effective_url);
    if (url.ok()) {
      if (f.ext.empty()) f.ext = ext_for(r.content_type, url->path);
      f.host = url->host;
    }
  }
  auto key = keys_.render(f);
  if (!key.ok()) {
    std::error_code ec;
    std::filesystem::remove(r.temp_file, ec);
    fail(a, make_error(Reason::bad_key, key.error().detail), now, 0);
    return;
  }
  a.key = *key;
  a.fetch = std::move(r);
  const uint64_t tag = a.fetch.tag;
  put(storing_.emplace(tag, std::move(a)).first->second);
}

void Engine::on_stored(const PutResult& r, int64_t now) {
  auto it = storing_.find(r.tag);
  if (it == storing_.end()) {
    log_.error("internal: store result for unknown tag " + std::to_string(r.tag));
    return;
  }
  Active& a = it->second;
  if (r.status.ok()) {
    if (a.fetch.sha256.empty()) a.fetch.sha256 = r.sha256;  // a body the store hashed
    Transition t;
    t.kind = Transition::Kind::complete;
    t.seq = a.job.seq;
    t.manifest =
        ManifestEntry{a.key,        a.fetch.sha256,       a.fetch.bytes, a.fetch.content_type,
                      a.fetch.etag, a.fetch.last_modified};
    push(std::move(t));
    ++counters_.done;
    counters_.bytes += a.fetch.bytes;
    stats_->job_stored(a.job.host_key, a.fetch.bytes);
    storing_.erase(it);
    disk_written();
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
  if (stopping_) {
    // No more retries once stopping: the job goes back to the queue, not charged.
    std::error_code ec;
    std::filesystem::remove(a.fetch.temp_file, ec);
    push(Transition{Transition::Kind::release, a.job.seq, {}, 0, {}, {}});
    storing_.erase(it);
    return;
  }
  if (classify(e) == ErrorClass::local) {
    // The folder store's disk: retried with the spool probes; the episode is logged once.
    a.local_fault = true;
    ++a.store_failures;
    local_fault(e);
    a.store_retry_at_ms = store_retry_for_disk();
    log_.debug("store waits for the disk: " + a.key + " (" + e.to_string() + ")");
    store_waiting_.push_back(r.tag);
    return;
  }
  // Retry the store later; fetching pauses meanwhile (backpressure). Never dead-letter.
  int64_t delay = store_backoff_.delay_ms(a.store_failures++);
  a.store_retry_at_ms = clock_.steady_ms() + delay;
  log_.warn("store failed for " + a.key + " (" + e.to_string() + "); retrying in " +
            std::to_string(delay) + " ms, fetching paused");
  store_waiting_.push_back(r.tag);
}

void Engine::put(const Active& a) {
  store_.put(PutRequest{a.fetch.tag, a.fetch.temp_file, a.key, a.fetch.content_type, a.fetch.sha256,
                        a.fetch.bytes, a.job.url, a.fetch.body});
}

void Engine::retry_stores() {
  const int64_t now = clock_.steady_ms();  // store retries are timed on the steady clock
  for (auto it = store_waiting_.begin(); it != store_waiting_.end();) {
    Active& a = storing_.at(*it);
    if (a.store_retry_at_ms > now) {
      ++it;
      continue;
    }
    put(a);
    it = store_waiting_.erase(it);
  }
}

// Keeps a leased job at the front of its host's line (it goes first when the host or the
// disk is ready again); once stopping, it goes back to the queue instead, uncharged.
void Engine::hold_job(Job job) {
  if (stopping_) {
    push(Transition{Transition::Kind::release, job.seq, {}, 0, {}, {}});
    return;
  }
  std::string line = job.host_key;
  buffered_[line].push_front(std::move(job));
}

void Engine::fail(Active& a, const Error& e, int64_t now, int64_t retry_after_ms) {
  ErrorClass cls = classify(e);
  Transition t;
  t.seq = a.job.seq;
  t.error_code = e.code();
  t.error_detail = e.detail;
  if (cls == ErrorClass::free_retry || cls == ErrorClass::local) {
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
    stats_->job_dead(a.job.host_key, t.error_code);
    log_.debug("dead: " + a.job.id + " " + e.to_string());
  } else {
    t.kind = Transition::Kind::retry;
    t.not_before_ms = now + std::max(retry_after_ms, backoff_.delay_ms(a.job.attempts));
    ++counters_.retried;
    stats_->job_retried(a.job.host_key, t.error_code);
  }
  push(std::move(t));
}

}  // namespace sluice
