// sluice run: drain the queue into the store under the per-host caps.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/open.h"
#include "cli/progress_view.h"
#include "cli/run_args.h"
#include "cli/signals.h"
#include "engine/engine.h"
#include "engine/gate_observer.h"
#include "fetch/curl_fetcher.h"
#include "fetch/parallel_fetcher.h"
#include "util/clock.h"
#include "util/logger.h"
#include "util/text.h"
#include "worker/embedded_life.h"
#include "worker/redis_life.h"

namespace sluice {
namespace {

constexpr int kRunCacheMib = 4;  // the SQLite page cache of run and serve

// Connections worth keeping open for reuse: one per slot of every --limit rule, and the
// default cap's worth for the hosts without one (libcurl closes the oldest beyond that).
long connection_cache_size(const RunArgs& a) {
  long total = a.default_limit;
  for (const auto& spec : a.limits) {
    // Already checked by HostLimits::add_rule: a whole number after the last '='.
    total += std::strtol(spec.c_str() + spec.rfind('=') + 1, nullptr, 10);
  }
  return std::min<long>(total, 1 << 20);
}

// One CurlFetcher on the engine's thread, or several, each on a thread of its own, sharing
// every host's cap (fetch/parallel_fetcher.h).
// --fetch-threads 0 (the default): one loop per CPU, at most kMaxAutoFetchThreads. The
// engine's own work per image (queue, store hand-off) stays on one thread, so beyond a few
// loops that thread bounds the rate, not libcurl's.
constexpr unsigned kMaxAutoFetchThreads = 4;

std::unique_ptr<Fetcher> make_fetcher(int requested, const FetchOptions& fo,
                                      ConnectionObserver* observer, const HostLimits& limits,
                                      Logger& log) {
  const unsigned threads =
      requested > 0 ? static_cast<unsigned>(requested)
                    : std::clamp(std::thread::hardware_concurrency(), 1u, kMaxAutoFetchThreads);
  if (threads == 1) return std::make_unique<CurlFetcher>(fo, observer, &log);
  return std::make_unique<ParallelFetcher>(
      static_cast<size_t>(threads),
      [&fo, &log](ConnectionObserver* lane) {
        return std::make_unique<CurlFetcher>(fo, lane, &log);
      },
      observer, [&limits](const std::string& host_key) { return limits.cap_for(host_key); });
}

int fail(const std::string& message) {
  std::fprintf(stderr, "sluice: error: %s\n", message.c_str());
  return kExitError;
}

void print_summary(const EngineProgress& p, const GateStats& gate, Store& store) {
  double secs = p.elapsed_ms / 1000.0;
  std::printf(
      "run: stored %llu (%.1f MiB), dead %llu, retried %llu, deferred by open "
      "circuits %llu, deferred by disk faults %llu, elapsed %.2f s, %.1f jobs/s, into %s\n",
      static_cast<unsigned long long>(p.done), p.bytes / 1048576.0,
      static_cast<unsigned long long>(p.dead), static_cast<unsigned long long>(p.retried),
      static_cast<unsigned long long>(p.deferred), static_cast<unsigned long long>(p.disk_deferred),
      secs, secs > 0 ? (p.done + p.dead) / secs : 0.0, store.describe().c_str());
  for (const auto& [host, s] : gate.snapshot()) {
    std::string held = ", slots held for cut requests " + std::to_string(s.holds_taken);
    if (s.held > 0) {
      held += " (" + std::to_string(s.held) + " still held for " +
              std::to_string((s.held_for_ms + 999) / 1000) + " s: the next run holds them on)";
    }
    std::printf(
        "host %s: cap %d, max open connections %d, max in flight %d, slow-downs %llu, "
        "circuit opened %llu time(s)%s%s\n",
        host.c_str(), s.cap, s.max_open_connections, s.max_in_flight,
        static_cast<unsigned long long>(s.slow_downs),
        static_cast<unsigned long long>(s.circuits_opened), held.c_str(),
        s.refused_sockets ? (", fence refusals " + std::to_string(s.refused_sockets)).c_str() : "");
  }
}

// The one place that tells the two kinds of worker apart (worker/worker_life.h): a Redis
// queue makes this run one of many workers, on any machine (README, "Many machines"); a
// SQLite queue file, the only one.
Result<std::unique_ptr<WorkerLife>> start_life(const std::string& spec,
                                               std::unique_ptr<Queue> queue,
                                               const HostLimits& limits, const LifeOptions& o,
                                               const Clock& clock, Logger& log) {
  if (is_redis_url(spec)) {
    auto life = RedisLife::start(std::move(queue), spec, limits, o, clock, log);
    if (!life.ok()) return life.error();
    return std::unique_ptr<WorkerLife>(std::move(*life));
  }
  auto life = EmbeddedLife::start(std::move(queue), queue_file(spec), limits, o, clock, log);
  if (!life.ok()) return life.error();
  return std::unique_ptr<WorkerLife>(std::move(*life));
}

}  // namespace

int run_with(const GlobalOptions& g, const RunArgs& a, RunHooks* hooks) {
  StderrLogger log(g.verbose ? LogLevel::debug : g.quiet ? LogLevel::error : LogLevel::info);
  SignalWatcher signals;  // before any thread starts, so every thread inherits the mask

  if (Status s = check_runnable_queue(g.queue); !s.ok()) {
    return fail(s.error().detail);
  }
  HostLimits limits(a.default_limit);
  for (const auto& spec : a.limits) {
    Status s = limits.add_rule(spec);
    if (!s.ok()) return fail("--limit " + printable(spec) + ": " + s.error().to_string());
  }
  for (const auto& spec : a.rates) {
    Status s = limits.add_rate_rule(spec);
    if (!s.ok()) return fail("--rate " + printable(spec) + ": " + s.error().to_string());
  }
  auto keys = KeyTemplate::parse(a.key);
  if (!keys.ok()) return fail("--key: " + keys.error().to_string());

  const Durability durability = parse_durability(a.durability).value_or(Durability::process);
  SystemClock clock;
  // First: it names a queue that is not a file. A small page cache: the run leases and
  // completes in seq order, so a few MiB hold the pages it is working on, and memory stays
  // flat however many jobs are queued.
  auto queue = open_queue(g.queue, QueueAccess::create, &log, durability, kRunCacheMib);
  if (!queue.ok()) return fail(queue.error().to_string());
  LifeOptions lo;
  lo.abandon_hold_ms = static_cast<int64_t>(a.abandon_hold * 1000);
  if (a.restart_grace >= 0) lo.restart_grace_ms = static_cast<int64_t>(a.restart_grace * 1000);
  lo.lease_ttl_ms = static_cast<int64_t>(a.lease_ttl * 1000);
  // Declared before the store, the fetcher and the engine, so it goes after them: its gate
  // outlives every open connection (worker/worker_life.h, "Teardown").
  auto started = start_life(g.queue, std::move(*queue), limits, lo, clock, log);
  if (!started.ok()) return fail(started.error().detail);
  WorkerLife& life = **started;

  S3Options s3 = a.s3;
  if (a.s3_path_style || a.s3_virtual_hosted) s3.path_style = a.s3_path_style;
  if (s3.skip_existing && a.store.rfind("s3://", 0) != 0) {
    return fail("--skip-existing works with an S3 store (--store s3://BUCKET/PREFIX) only");
  }
  auto store = open_store(a.store, &log, a.store_threads, s3, durability);
  if (!store.ok()) return fail(store.error().to_string());
  Status begun = life.begin(**store);
  if (!begun.ok()) return fail(begun.error().to_string());

  FetchOptions fo;
  fo.max_bytes = a.max_bytes;
  fo.connect_timeout_ms = static_cast<long>(a.connect_timeout * 1000);
  fo.total_timeout_ms = static_cast<long>(a.timeout * 1000);
  fo.abandon_hold_ms = static_cast<long>(a.abandon_hold * 1000);
  fo.low_speed_bytes = a.low_speed_bytes;
  fo.low_speed_seconds = a.low_speed_time;
  fo.allow_private = a.allow_private;
  fo.max_idle_connections = connection_cache_size(a);

  Gate& gate = life.gate();
  GateStats& gate_stats = life.gate_stats();  // the same object's statistics and events
  GateObserver observer(gate);
  std::unique_ptr<Fetcher> fetcher = make_fetcher(a.fetch_threads, fo, &observer, limits, log);

  EngineOptions eo;
  eo.mode = a.mode == "batch" ? WindowMode::batch : WindowMode::window;
  eo.follow = a.follow;
  eo.max_attempts = a.max_attempts;
  eo.backoff_base_ms = static_cast<int64_t>(a.backoff_base * 1000);
  eo.backoff_cap_ms = static_cast<int64_t>(a.backoff_cap * 1000);
  eo.retry_after_cap_ms =
      static_cast<int64_t>((a.max_retry_after >= 0 ? a.max_retry_after : a.backoff_cap) * 1000);
  eo.grace_ms = static_cast<int64_t>(a.grace * 1000);
  eo.disk_wait_ms = static_cast<int64_t>(a.disk_wait * 1000);
  // A lease outlives its transfer: the deadline, the drain after it, connecting.
  eo.lease_ms = std::max<int64_t>(
      eo.lease_ms, 2 * (fo.total_timeout_ms + fo.abandon_hold_ms + fo.connect_timeout_ms));
  eo.seed = a.seed;
  eo.content.accept = a.no_content_check ? std::vector<std::string>{} : a.accept;
  eo.content.check_magic = !a.no_content_check;
  eo.content.allow_svg = a.allow_svg;
  eo.abandon_hold_ms = fo.abandon_hold_ms;
  life.configure(eo);  // holds an earlier run left, the lease time, idle connections
  Engine engine(life.queue(), gate, gate_stats, *fetcher, **store, *keys, limits, clock, log, eo);

  ProgressView::Mode pm = a.progress == "off"     ? ProgressView::Mode::off
                          : a.progress == "tty"   ? ProgressView::Mode::tty
                          : a.progress == "plain" ? ProgressView::Mode::plain
                                                  : ProgressView::detect(stderr);
  if (g.quiet) pm = ProgressView::Mode::off;
  ProgressView view(pm, stderr);
  engine.on_progress([&view, &gate_stats, hooks](const EngineProgress& p) {
    view.update(p, gate_stats.snapshot(), hooks ? hooks->jobs_added() : 0);
  });
  engine.on_heartbeat(life.heartbeat_sink());  // none on Redis: no heartbeat is built
  if (hooks) {
    Status started = hooks->started(RunParts{gate_stats, engine, limits, **store, log, clock});
    if (!started.ok()) return fail(started.error().to_string());
  }
  // Declared after the engine, so it is dropped first: once it is gone the watcher thread
  // never calls into the engine (nor the hooks) again (signals.h).
  SignalWatcher::Subscription stop_on_signal = signals.start([&engine, hooks](int) {
    if (hooks) hooks->stopping();
    engine.request_stop();
  });

  Status s = engine.run();
  if (hooks) hooks->finished();
  view.finish();
  print_summary(engine.progress(), gate_stats, **store);
  if (!s.ok()) return fail("run stopped: " + s.error().to_string());
  return engine.progress().stopping ? kExitInterrupted : kExitOk;
}

namespace {

void add_s3_options(CLI::App* cmd, RunArgs& a) {
  S3Options& o = a.s3;
  cmd->add_option("--s3-endpoint", o.endpoint,
                  "S3-compatible server URL (else "
                  "AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL; default Amazon S3)");
  cmd->add_option("--s3-region", o.region,
                  "Region (else AWS_REGION, AWS_DEFAULT_REGION; "
                  "us-east-1)");
  auto* path = cmd->add_flag("--s3-path-style", a.s3_path_style,
                             "Address the bucket as ENDPOINT/BUCKET/KEY (default with "
                             "--s3-endpoint)");
  cmd->add_flag("--s3-virtual-hosted", a.s3_virtual_hosted,
                "Address the bucket as BUCKET.ENDPOINT/KEY (default on Amazon S3)")
      ->excludes(path);
  cmd->add_option("--s3-concurrency", o.concurrency, "S3 transfers at once (16)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--s3-multipart-threshold", o.multipart_threshold,
                  "Objects this large use multipart upload (64MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t{1}, uint64_t{5} << 40));
  cmd->add_option("--s3-part-size", o.part_size, "Multipart part size (16MiB; S3 needs >= 5MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t{4096}, uint64_t{5} << 30));
  cmd->add_option("--s3-spool", o.spool, "Local folder for temp files (./sluice-spool)");
  cmd->add_flag("--skip-existing", o.skip_existing,
                "S3: skip objects already stored with the "
                "same sha256 (a HEAD request before each upload)");
}

}  // namespace

void add_run_options(CLI::App* cmd, RunArgs* a) {
  cmd->add_option("--store", a->store,
                  "DIR, file://DIR or s3://BUCKET/PREFIX (default "
                  "./sluice-data)")
      ->envname("SLUICE_STORE");
  cmd->add_option("--limit", a->limits,
                  "HOST=N or HOST:PORT=N: at most N connections to the "
                  "host (repeatable)");
  cmd->add_option("--rate", a->rates,
                  "HOST=R or HOST:PORT=R: at most R requests per second "
                  "to the host, on top of the connection cap (repeatable; R may be 0.5)");
  cmd->add_option("--default-limit", a->default_limit, "Cap for hosts without --limit (20)")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--key", a->key,
                  "Object key template: {id} {sha256} {url_sha256} {ext} "
                  "{host}, {sha256:2} for a prefix");
  cmd->add_option("--max-bytes", a->max_bytes, "Largest body accepted (52428800)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  cmd->add_option("--connect-timeout", a->connect_timeout, "Seconds (10)")
      ->check(CLI::Range(0.001, 3600.0));
  cmd->add_option("--timeout", a->timeout,
                  "Seconds for a whole transfer (120); a request that has been sent is then "
                  "read to its end into nothing, for up to --abandon-hold more, so its slot "
                  "frees when the provider is done with it")
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--low-speed-limit", a->low_speed_bytes, "Bytes/s below which ... (1024)");
  cmd->add_option("--low-speed-time", a->low_speed_time, "... for this many seconds: timeout");
  cmd->add_option("--max-attempts", a->max_attempts, "Attempts before dead-lettering (6)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--backoff-base", a->backoff_base,
                  "Seconds: retry n waits a random time in [0, min(cap, base * 2^n)) (1)")
      ->check(CLI::Range(0.001, 3600.0));
  cmd->add_option("--backoff-cap", a->backoff_cap, "Seconds: the longest retry wait (300)")
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--abandon-hold", a->abandon_hold,
                  "Seconds a slot stays held after sluice cuts a request the provider may "
                  "still be serving (timeout drain over, --max-bytes, low speed, connect "
                  "timeout, cancel, crash); also the longest drain after --timeout (30)")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_option("--max-retry-after", a->max_retry_after,
                  "Seconds: the longest Retry-After honoured; a longer one pauses the host this "
                  "long (default: --backoff-cap)")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_flag("--allow-private", a->allow_private,
                "Allow loopback, private and link-local addresses (refused by default)");
  cmd->add_option("--mode", a->mode,
                  "window (default: refill a slot the moment it frees) or "
                  "batch (the original batch-of-N design, for comparison)")
      ->check(CLI::IsMember({"window", "batch"}));
  cmd->add_option("--grace", a->grace, "Seconds in-flight work may finish after SIGINT (30)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--disk-wait", a->disk_wait,
                  "Seconds to wait for a full, read-only or unwritable local disk (spool or "
                  "store folder) to recover, fetching paused, before stopping the run (600)")
      ->check(CLI::Range(0.0, 604800.0));
  cmd->add_option("--progress", a->progress, "auto, tty, plain or off")
      ->check(CLI::IsMember({"auto", "tty", "plain", "off"}));
  cmd->add_option("--seed", a->seed, "Seed for retry jitter (0: random)");
  cmd->add_option("--restart-grace", a->restart_grace,
                  "At most this many seconds to hold the slots an earlier run left held "
                  "(a crash, cut requests); default: their --abandon-hold");
  cmd->add_option("--lease-ttl", a->lease_ttl,
                  "Redis queue: seconds a worker's slot and job leases outlive their last "
                  "renewal; a worker that cannot renew for 3/4 of it cuts its transfers, and "
                  "a dead worker's jobs go to the others after it (10)")
      ->check(CLI::Range(2.0, 3600.0));
  cmd->add_option("--accept", a->accept, "Accepted Content-Types (repeatable; image/*)");
  cmd->add_flag("--no-content-check", a->no_content_check,
                "Store any body: no Content-Type check, no image magic-byte check");
  cmd->add_flag("--allow-svg", a->allow_svg, "Accept SVG (text that can carry script)");
  cmd->add_option("--store-threads", a->store_threads,
                  "Threads that rename stored objects into place off the event loop (8)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--fetch-threads", a->fetch_threads,
                  "Threads that run downloads (libcurl loops), each with its own share of "
                  "every host's cap; 0 (default): one per CPU, at most 4")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--durability", a->durability,
                  "process (default): stored objects and the queue survive a crash of sluice; "
                  "power: they also survive a power cut or an OS crash (one file-system sync "
                  "before each queue commit, and a fully synced queue)")
      ->check(CLI::IsMember({"process", "power"}));
  add_s3_options(cmd, *a);
}

void add_run_command(CLI::App& app, const GlobalOptions& g, int* exit_code) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Fetch queued jobs into the store, capped per host");
  add_run_options(cmd, a.get());
  cmd->add_flag("--follow", a->follow, "Keep waiting for new jobs when the queue is drained");
  cmd->callback([&g, a, exit_code]() { *exit_code = run_with(g, *a, nullptr); });
}

}  // namespace sluice
