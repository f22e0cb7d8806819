// sluice status: counts per state and per host.
#include <signal.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/open.h"
#include "util/clock.h"
#include "worker/run_record.h"

namespace sluice {
namespace {

nlohmann::json counts_json(const StateCounts& c) {
  return {{"queued", c.queued},
          {"leased", c.leased},
          {"done", c.done},
          {"dead", c.dead},
          {"total", c.total()}};
}

// Slots held for cut requests (the provider may still be serving them), from the heartbeat.
void print_holds(const nlohmann::json& run) {
  const int64_t now = SystemClock().now_ms();
  if (run.contains("holds") && run["holds"].is_object()) {
    for (auto& [host, h] : run["holds"].items()) {
      if (!h.is_object()) continue;
      const int64_t left = h.value("until_ms", int64_t{0}) - now;
      if (left <= 0) continue;
      std::printf(
          "  HELD %s: %d slot(s) held for cut requests the provider may still be serving, "
          "%lld s more\n",
          host.c_str(), h.value("slots", 0), static_cast<long long>((left + 999) / 1000));
    }
  }
  if (run.contains("holds_taken") && run["holds_taken"].is_object()) {
    for (auto& [host, n] : run["holds_taken"].items()) {
      if (!n.is_number_unsigned()) continue;
      std::printf("  %s: %llu slot hold(s) since the run began (--abandon-hold %g s)\n",
                  host.c_str(), n.get<unsigned long long>(),
                  static_cast<double>(run.value("abandon_hold_ms", int64_t{0})) / 1000);
    }
  }
}

int run_status(const GlobalOptions& g, bool json) {
  auto queue = open_queue(g.queue, QueueAccess::existing);
  if (!queue.ok()) {
    std::fprintf(stderr, "sluice: error: %s\n", queue.error().to_string().c_str());
    return kExitError;
  }
  auto st = (*queue)->stats();
  if (!st.ok()) {
    std::fprintf(stderr, "sluice: error: %s\n", st.error().to_string().c_str());
    return kExitError;
  }
  // A running `sluice run` publishes circuits and progress in its heartbeat file.
  nlohmann::json run = nullptr;
  std::string db = queue_file(g.queue);
  if (!db.empty()) {
    run = read_run_status(run_record_path(db));
    if (!run.is_null()) {
      // Its writer is alive and beat in the last few seconds: a run is in progress.
      int pid = run.value("pid", 0);
      int64_t age = SystemClock().now_ms() - run.value("at_ms", int64_t{0});
      run["running"] = pid > 0 && ::kill(pid, 0) == 0 && age < 10'000;
    }
  }
  if (json) {
    nlohmann::json j;
    j["queue"] = redact_queue_spec(g.queue);
    j["run"] = run;
    j["all"] = counts_json(st->all);
    j["hosts"] = nlohmann::json::object();
    for (const auto& [host, c] : st->by_host) j["hosts"][host] = counts_json(c);
    j["dead_by_reason"] = st->dead_by_reason;
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  auto line = [](const std::string& name, const StateCounts& c) {
    std::printf("%-32s %10llu %10llu %10llu %10llu %10llu\n", name.c_str(),
                static_cast<unsigned long long>(c.queued),
                static_cast<unsigned long long>(c.leased), static_cast<unsigned long long>(c.done),
                static_cast<unsigned long long>(c.dead),
                static_cast<unsigned long long>(c.total()));
  };
  std::printf("%-32s %10s %10s %10s %10s %10s\n", "host", "queued", "leased", "done", "dead",
              "total");
  for (const auto& [host, c] : st->by_host) line(host, c);
  line("all", st->all);
  if (!run.is_null()) {
    bool running = run.value("running", false);
    std::printf("\n%s (pid %d): done %llu, dead %llu, in flight %llu\n",
                running                     ? "run in progress"
                : run.value("final", false) ? "last run ended"
                                            : "last run stopped without finishing",
                run.value("pid", 0), run.value("done", 0ull), run.value("dead", 0ull),
                run.value("in_flight", 0ull));
    print_holds(run);
    if (run.contains("circuits") && run["circuits"].is_object()) {
      for (auto& [host, what] : run["circuits"].items()) {
        std::printf(
            "  CIRCUIT %s: %s: the provider looks down or has suspended the account; "
            "no attempts are charged meanwhile\n",
            host.c_str(), what.get<std::string>().c_str());
      }
    }
  }
  if (!st->dead_by_reason.empty()) {
    std::printf("\ndead by reason:\n");
    for (const auto& [reason, n] : st->dead_by_reason) {
      std::printf("  %-30s %llu\n", reason.c_str(), static_cast<unsigned long long>(n));
    }
  }
  return kExitOk;
}

}  // namespace

void add_status_command(CLI::App& app, const GlobalOptions& g, int* exit_code) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("status", "Jobs per state and per host");
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([&g, json, exit_code]() { *exit_code = run_status(g, *json); });
}

}  // namespace sluice
