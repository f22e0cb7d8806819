#include "engine/engine.h"

#include <unistd.h>

#include <algorithm>
#include <system_error>

namespace sluice {
namespace {

// Installs the store's notifier for the length of Engine::run and removes it on every way
// out, errors included (Store::set_notifier's teardown contract): once run() returns, no
// store thread calls back into the engine or its fetcher.
class NotifierScope {
 public:
  NotifierScope(Store& store, std::function<void()> fn) : store_(store) {
    store_.set_notifier(std::move(fn));
  }
  ~NotifierScope() { store_.set_notifier(nullptr); }
  NotifierScope(const NotifierScope&) = delete;
  NotifierScope& operator=(const NotifierScope&) = delete;

 private:
  Store& store_;
};

}  // namespace

Engine::Engine(Queue& queue, Gate& gate, GateStats& gate_stats, Fetcher& fetcher, Store& store,
               const KeyTemplate& keys, const HostLimits& limits, const Clock& clock, Logger& log,
               EngineOptions options)
    : queue_(queue),
      gate_(gate),
      gate_stats_(gate_stats),
      fetcher_(fetcher),
      store_(store),
      keys_(keys),
      limits_(limits),
      clock_(clock),
      log_(log),
      opt_(options),
      backoff_(options.backoff_base_ms, options.backoff_cap_ms, options.seed),
      store_backoff_(options.store_retry_base_ms, options.store_retry_cap_ms,
                     options.seed ? options.seed + 1 : 0),
      disk_(options.disk_wait_ms, options.disk_probe_base_ms, options.disk_probe_cap_ms),
      bodies_in_memory_(store.takes_bodies() && !keys.needs_sha256() &&
                        options.memory_body_max > 0),
      memory_(options.memory_budget),
      // The process id keeps two runs' temp names apart. The spool folder is the store's
      // for its whole life: both go into a prefix once, not per file.
      temp_prefix_((store.spool_dir() / ("fetch-" + std::to_string(::getpid()) + "-")).native()) {}

void Engine::request_stop() {
  stop_requested_.store(true);
  fetcher_.wakeup();
}

EngineProgress Engine::progress() const {
  EngineProgress p = counters_;
  p.in_flight = fetching_.size();
  p.storing = storing_.size();
  p.buffered = buffered_count();
  p.elapsed_ms = clock_.steady_ms() - started_ms_;
  p.stopping = stopping_;
  p.disk_paused = !disk_.clear();
  return p;
}

std::filesystem::path Engine::temp_path(uint64_t tag) const {
  std::string path = temp_prefix_;
  path += std::to_string(tag);
  path += ".part";
  return std::filesystem::path(std::move(path));
}

Status Engine::run() {
  started_ms_ = clock_.steady_ms();
  last_commit_ms_ = started_ms_;
  auto stats = queue_.stats();
  if (!stats.ok()) return stats.error();
  counters_.queued_at_start = stats->all.queued;
  hold_earlier_runs_slots(clock_.now_ms());
  NotifierScope notifier(store_, [this] { fetcher_.wakeup(); });

  for (;;) {
    int64_t now = clock_.now_ms();
    // Nothing in hand nor running: idle connections would keep slots other workers need.
    // Closed before maintain(), which gives their slots back in the same turn.
    if (opt_.close_idle && !idle_closed_ && fetching_.empty() && buffered_.empty()) {
      idle_closed_ = fetcher_.close_idle_connections();
    }
    // A gate with slots outside this process renews them; if it lost some, every transfer
    // is cut and every connection closed before anything else is sent (gate.h, maintain).
    if (!gate_.maintain(clock_.steady_ms()).empty()) fetcher_.cancel_all();
    if (stop_requested_.load() && !stopping_) begin_stop();
    if (stopping_ && !cancelled_ && clock_.steady_ms() >= stop_deadline_ms_ && !fetching_.empty()) {
      log_.warn("grace period over: aborting " + std::to_string(fetching_.size()) +
                " transfers; their jobs go back to the queue");
      fetcher_.cancel_all();
      cancelled_ = true;
    }
    if (!stopping_) {
      // While the disk fails, lease nothing more: the jobs in hand wait for it.
      if (disk_.state() != DiskPause::State::paused) refill(now);
      probe_disk();
      retry_stores();
      start_ready(now);
    }
    if (finished()) break;

    int64_t wait_ms = std::max<int64_t>(1, next_wake(now) - now);
    for (auto& r : fetcher_.wait(std::chrono::milliseconds(wait_ms))) {
      on_fetched(std::move(r), clock_.now_ms());
    }
    for (const auto& r : store_.poll()) on_stored(r, clock_.now_ms());

    now = clock_.now_ms();
    // Group commits batch outcomes while transfers run; with none running or being stored
    // there is nothing to batch with, and waiting out the interval would only delay the
    // end of the run (or, with --follow, the moment a job shows done).
    const bool idle = fetching_.empty() && storing_.empty() && store_.in_flight() == 0;
    if (pending_.size() >= opt_.commit_max ||
        (!pending_.empty() &&
         (idle || clock_.steady_ms() - last_commit_ms_ >= opt_.commit_interval_ms))) {
      Status s = commit(now);
      if (!s.ok() && !queue_unreachable(s.error())) return s;  // else: kept for the next try
    }
    check_disk_wait();
    if (fatal_.reason != Reason::ok && !stopping_) begin_stop();
    log_gate_events();
    report(false);
    beat(now, false, false);
  }
  beat(clock_.now_ms(), true, true);
  Status s = commit(clock_.now_ms());
  // A queue server that is away: the outcomes in hand wait for it a while (its leases would
  // otherwise expire and the jobs be fetched again by whoever reclaims them).
  for (int64_t end = clock_.steady_ms() + opt_.grace_ms;
       !s.ok() && queue_unreachable(s.error()) && clock_.steady_ms() < end;) {
    (void)fetcher_.wait(std::chrono::milliseconds(500));
    s = commit(clock_.now_ms());
  }
  report(true);
  if (!s.ok()) return s;
  if (fatal_.reason != Reason::ok) return fatal_;
  return Status();
}

size_t Engine::buffered_count() const {
  size_t n = 0;
  for (const auto& [host, jobs] : buffered_) n += jobs.size();
  return n;
}

// Leases more jobs when the buffers run low, skipping hosts whose buffers are full.
void Engine::refill(int64_t now) {
  size_t buffered = 0;
  LeaseRequest req;
  for (const auto& [host, jobs] : buffered_) {
    buffered += jobs.size();
    size_t host_max =
        std::max(opt_.per_host_buffer, static_cast<size_t>(2 * limits_.cap_for(host)));
    if (jobs.size() >= host_max) req.skip_hosts.push_back(host);
  }
  if (buffered >= opt_.lease_batch) return;
  // After a short lease, wait (next_lease_ms_): the queue had nothing ready beyond the
  // hosts it skipped (short_skip_), and a lease that skips them all again walks the ready
  // line for nothing. Only a skipped host with room again is worth a lease before then.
  // (Both lists are in host order: buffered_ is a map.)
  if (clock_.steady_ms() < next_lease_ms_ &&
      std::includes(req.skip_hosts.begin(), req.skip_hosts.end(), short_skip_.begin(),
                    short_skip_.end())) {
    return;
  }
  req.max = opt_.lease_batch;
  req.now_ms = now;
  req.lease_ms = opt_.lease_ms;
  auto leased = queue_.lease(req);
  if (!leased.ok() && queue_unreachable(leased.error())) {
    next_lease_ms_ = clock_.steady_ms() + opt_.idle_poll_ms;
    return;
  }
  if (!leased.ok()) {
    log_.error("lease failed: " + leased.error().to_string());
    fatal_ = leased.error();
    return;
  }
  if (queue_away_) {
    log_.info("queue reachable again");
    queue_away_ = false;
  }
  for (auto& job : *leased) buffered_[job.host_key].push_back(std::move(job));
  // A short lease means the queue has nothing more ready (for the hosts not skipped):
  // look again later, not every turn.
  if (leased->size() < req.max) {
    int64_t wait_ms = opt_.idle_poll_ms;
    if (req.skip_hosts.empty()) {
      // Nothing is ready now; a job waiting for its retry time is leased when it comes.
      auto next = queue_.next_ready_ms();
      if (next.ok() && next->has_value()) {
        wait_ms = std::clamp<int64_t>(**next - now, 1, opt_.idle_poll_ms);
      }
    }
    next_lease_ms_ = clock_.steady_ms() + wait_ms;
    short_skip_ = std::move(req.skip_hosts);
  }
}

// Starts a download for every buffered job whose host has a free slot.
size_t Engine::start_budget() const {
  // Backpressure: the store is failing, or is behind by more than max_storing objects.
  if (!store_waiting_.empty() || storing_.size() >= opt_.max_storing) return 0;
  // A local fault: none while paused, one at a time while trying (disk_pause.h).
  return fetch_budget();
}

bool Engine::batch_busy(const std::string& host) const {
  // count(), not []: an entry of 0 would read as a host in use (next_wake, heartbeats).
  return opt_.mode == WindowMode::batch && active_per_host_.count(host) > 0;
}

void Engine::start_ready(int64_t now) {
  size_t budget = start_budget();
  if (budget == 0) return;
  for (auto it = buffered_.begin(); it != buffered_.end();) {
    auto& [host, jobs] = *it;
    const bool busy = batch_busy(host);
    if (!jobs.empty() && heartbeat_fn_ && !beat_hosts_.count(host)) {
      // Say this host is in use before the first request to it, so that a crash right
      // after is covered.
      busy_since_beat_[host] = limits_.cap_for(host);
      beat(now, false, /*force=*/true);
    }
    while (!jobs.empty() && !busy && budget > 0 && gate_.try_acquire(host, clock_.steady_ms())) {
      --budget;
      uint64_t tag = next_tag_++;
      Active a;
      a.job = std::move(jobs.front());
      jobs.pop_front();
      FetchRequest req{tag, a.job.url, host, temp_path(tag)};
      if (bodies_in_memory_ && (a.memory = memory_.take(opt_.memory_body_max))) {
        req.memory_limit = opt_.memory_body_max;
      }
      fetching_.emplace(tag, std::move(a));
      const int running = ++active_per_host_[host];
      req.close_when_done = opt_.close_idle && jobs.size() < static_cast<size_t>(running);
      idle_closed_ = false;
      busy_since_beat_[host] = limits_.cap_for(host);
      stats_->fetch_started(host);
      fetcher_.start(std::move(req));
    }
    it = jobs.empty() ? buffered_.erase(it) : std::next(it);
  }
}

void Engine::push(Transition t) { pending_.push_back(std::move(t)); }

// A queue server that cannot be reached now (Redis restarting, a network cut): the run
// takes no new work, keeps what it holds, and tries again; the connection reconnects with
// backoff. Logged at warn once per episode.
bool Engine::queue_unreachable(const Error& e) {
  if (e.reason != Reason::queue_unavailable) return false;
  if (!queue_away_)
    log_.warn("queue unreachable, taking no new work until it answers: " + e.to_string());
  queue_away_ = true;
  return true;
}

Status Engine::commit(int64_t now) {
  last_commit_ms_ = clock_.steady_ms();
  if (pending_.empty()) return Status();
  // A job is recorded done only once its object is as durable as the store promises.
  const bool completes = std::any_of(pending_.begin(), pending_.end(), [](const Transition& t) {
    return t.kind == Transition::Kind::complete;
  });
  if (completes) {
    if (Status d = store_.make_durable(); !d.ok()) {
      log_.error("cannot make stored objects durable; their jobs are not recorded done: " +
                 d.error().to_string());
      return d.error();
    }
  }
  auto applied = queue_.apply(pending_, now);
  if (applied.ok() && queue_away_) {
    log_.info("queue reachable again");
    queue_away_ = false;
  }
  if (!applied.ok() && applied.error().reason == Reason::queue_unavailable) return applied.error();
  if (!applied.ok()) {
    log_.error("queue commit failed: " + applied.error().to_string());
    return applied.error();
  }
  // A transition the queue refused (the lease was lost) is dropped alone: the job is the
  // queue's again, and whoever holds it now fetches it. Nothing else is lost.
  constexpr size_t kLogged = 20;  // one line each, then a count
  const auto& rejected = applied->rejected;
  for (size_t i = 0; i < rejected.size() && i < kLogged; ++i) {
    log_.warn("queue refused a stale transition, dropped: " + rejected[i].detail);
  }
  if (rejected.size() > kLogged) {
    log_.warn("queue refused " + std::to_string(rejected.size() - kLogged) +
              " more stale transitions of this commit, dropped");
  }
  // Re-queued jobs may be ready soon: let the next turn lease again. Completions and
  // burials make nothing ready.
  const bool requeues = std::any_of(pending_.begin(), pending_.end(), [](const Transition& t) {
    return t.kind != Transition::Kind::complete && t.kind != Transition::Kind::bury;
  });
  if (requeues) next_lease_ms_ = 0;
  pending_.clear();
  return Status();
}

void Engine::begin_stop() {
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
    wake = std::min(wake, now + opt_.commit_interval_ms - (clock_.steady_ms() - last_commit_ms_));
  }
  for (uint64_t tag : store_waiting_) {  // store retries are timed on the steady clock
    wake = std::min(wake, now + (storing_.at(tag).store_retry_at_ms - clock_.steady_ms()));
  }
  if (!stopping_) {
    // The next lease: at next_lease_ms_, or now if that is past and the buffers have room
    // (refill() would lease at once). A past time with full buffers is no reason to wake.
    const int64_t lease_in = next_lease_ms_ - clock_.steady_ms();
    if (lease_in > 0) {
      wake = std::min(wake, now + lease_in);
    } else if (buffered_count() < opt_.lease_batch) {
      wake = now;
    }
  }
  if (stopping_) wake = std::min(wake, now + (stop_deadline_ms_ - clock_.steady_ms()));
  if (!stopping_ && !disk_.clear()) {
    wake = std::min(wake, now + (disk_.next_wake_ms() - clock_.steady_ms()));
  }
  // The gate's wakes, for the hosts start_ready() would ask it about now.
  if (!stopping_ && start_budget() > 0) {
    const int64_t steady = clock_.steady_ms();  // the gate's time (engine.h, Clocks)
    for (const auto& [host, jobs] : buffered_) {
      if (batch_busy(host)) continue;
      int64_t admit = gate_.next_admit_ms(host, steady);
      if (admit > steady) wake = std::min(wake, now + (admit - steady));
    }
  }
  return wake;
}

// True when nothing is left to do: stopped and drained, or (without --follow) the queue
// has no job queued at all.
bool Engine::finished() {
  if (!fetching_.empty() || !storing_.empty() || store_.in_flight() > 0) return false;
  if (stopping_) return true;
  if (fatal_.reason != Reason::ok) return false;  // begin_stop comes first
  if (!buffered_.empty() || !pending_.empty()) return false;
  if (opt_.follow) return false;
  if (clock_.steady_ms() < next_lease_ms_) {
    auto next = queue_.next_ready_ms();
    if (!next.ok() && queue_unreachable(next.error())) {
      next_lease_ms_ = clock_.steady_ms() + opt_.idle_poll_ms;
      return false;
    }
    if (!next.ok()) {
      fatal_ = next.error();
      return false;
    }
    return !next->has_value();
  }
  return false;
}

}  // namespace sluice
