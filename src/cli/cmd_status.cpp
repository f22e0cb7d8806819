// sluice status: counts per state and per host.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/open.h"

namespace sluice {
namespace {

nlohmann::json counts_json(const StateCounts& c) {
  return {{"queued", c.queued}, {"leased", c.leased}, {"done", c.done},
          {"dead", c.dead},     {"total", c.total()}};
}

int run_status(const GlobalOptions& g, bool json) {
  auto queue = open_queue(g.queue);
  if (!queue.ok()) {
    std::fprintf(stderr, "sluice: error: %s\n", queue.error().to_string().c_str());
    return kExitError;
  }
  auto st = (*queue)->stats();
  if (!st.ok()) {
    std::fprintf(stderr, "sluice: error: %s\n", st.error().to_string().c_str());
    return kExitError;
  }
  if (json) {
    nlohmann::json j;
    j["queue"] = g.queue;
    j["all"] = counts_json(st->all);
    j["hosts"] = nlohmann::json::object();
    for (const auto& [host, c] : st->by_host) j["hosts"][host] = counts_json(c);
    j["dead_by_reason"] = st->dead_by_reason;
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  auto line = [](const std::string& name, const StateCounts& c) {
    std::printf("%-32s %10llu %10llu %10llu %10llu %10llu\n", name.c_str(),
                static_cast<unsigned long long>(c.queued),
                static_cast<unsigned long long>(c.leased),
                static_cast<unsigned long long>(c.done), static_cast<unsigned long long>(c.dead),
                static_cast<unsigned long long>(c.total()));
  };
  std::printf("%-32s %10s %10s %10s %10s %10s\n", "host", "queued", "leased", "done", "dead",
              "total");
  for (const auto& [host, c] : st->by_host) line(host, c);
  line("all", st->all);
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
