// What `sluice run` and `sluice serve` share: the run's flags, the set-up of queue, store,
// gate, fetcher and engine (cmd_run.cpp), and hooks through which `serve` adds its HTTP
// server around the same engine.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/app.h"
#include "engine/engine.h"
#include "gate/gate_stats.h"
#include "store/key_template.h"
#include "store/s3_options.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/logger.h"

namespace sluice {

// The flags of `sluice run`, which `sluice serve` takes too.
struct RunArgs {
  std::string store = "./sluice-data";
  std::vector<std::string> limits;
  std::vector<std::string> rates;
  int default_limit = 20;
  std::string key = std::string(KeyTemplate::kDefault);
  uint64_t max_bytes = 50ull << 20;
  double connect_timeout = 10, timeout = 120;
  double abandon_hold = 30;
  long low_speed_bytes = 1024, low_speed_time = 30;
  int max_attempts = 6;
  double backoff_base = 1, backoff_cap = 300;
  double max_retry_after = -1;  // < 0: --backoff-cap
  bool allow_private = false;
  bool follow = false;
  std::string mode = "window";
  double grace = 30;
  double disk_wait = 600;
  std::string progress = "auto";
  uint64_t seed = 0;
  int store_threads = 8;
  int fetch_threads = 0;  // fetch loops (fetch/parallel_fetcher.h); 0: one per CPU, at most 4
  std::string durability = "process";  // store/durability.h
  std::vector<std::string> accept = {"image/*"};
  bool no_content_check = false;
  bool allow_svg = false;
  double restart_grace = -1;  // < 0: the crashed run's request deadline
  double lease_ttl = 10;      // Redis queue: slot and job leases lapse this long after renewal
  S3Options s3;
  bool s3_path_style = false, s3_virtual_hosted = false;
};

// Registers every flag of `run` but --follow on cmd, writing into *a (which must outlive
// the parse).
void add_run_options(CLI::App* cmd, RunArgs* a);

// The parts of a set-up run that a hook may use, valid from started() until finished()
// returns. The gate's statistics and the logger are thread-safe to read (gate_stats.h);
// the engine is not: only set_stats() (in started()) and request_stop() may be called.
struct RunParts {
  const GateStats& gate_stats;
  Engine& engine;
  const HostLimits& limits;
  Store& store;
  Logger& log;
  const Clock& clock;
};

// What a command adds around the engine (serve: the HTTP server). Call order, all but
// stopping() on the main thread: started() once the queue, store and engine are set up
// and before any job is leased; stopping() on the signal watcher's thread at the first
// SIGINT/SIGTERM, before the engine is asked to stop; finished() after the engine's run
// returned (also after a fatal error), to join what started() started.
class RunHooks {
 public:
  virtual ~RunHooks() = default;
  // An error ends the command (exit 1) before any job is leased.
  virtual Status started(const RunParts& parts) = 0;
  virtual void stopping() = 0;
  virtual void finished() = 0;
  // Jobs that joined the run after it started (posted, replayed), for the progress view;
  // any thread.
  virtual uint64_t jobs_added() const { return 0; }
};

// Runs the engine with a's settings until it drains (or, with a.follow, until stopped);
// hooks may be nullptr. Returns the exit code; the summary is printed.
int run_with(const GlobalOptions& g, const RunArgs& a, RunHooks* hooks);

}  // namespace sluice
