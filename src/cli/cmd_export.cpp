// sluice export: the manifest (every job, with what was stored for the done ones).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/open.h"
#include "util/text.h"

namespace sluice {
namespace {

const char* kManifestColumns[] = {"id",    "url",          "key",       "state",         "sha256",
                                  "bytes", "content_type", "etag",      "last_modified", "attempts",
                                  "error", "error_detail", "updated_at"};

std::vector<std::string> row(const JobRecord& r) {
  const ManifestEntry& m = r.manifest;
  return {r.id,
          r.url,
          m.key,
          state_name(r.state),
          m.sha256,
          r.state == JobState::done ? std::to_string(m.bytes) : "",
          m.content_type,
          m.etag,
          m.last_modified,
          std::to_string(r.attempts),
          r.error_code,
          r.error_detail,
          iso_time(r.updated_at_ms)};
}

int run_export(const GlobalOptions& g, const std::string& format, const std::string& output) {
  auto queue = open_queue(g.queue, QueueAccess::existing);
  if (!queue.ok()) {
    std::fprintf(stderr, "sluice: error: %s\n", queue.error().to_string().c_str());
    return kExitError;
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!output.empty() && output != "-") {
    file.open(output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::fprintf(stderr, "sluice: error: cannot write %s: %s\n", printable(output).c_str(),
                   std::strerror(errno));
      return kExitError;
    }
    out = &file;
  }
  const size_t ncols = sizeof kManifestColumns / sizeof kManifestColumns[0];
  if (format == "csv") {
    for (size_t i = 0; i < ncols; ++i) *out << (i ? "," : "") << kManifestColumns[i];
    *out << "\n";
  }
  Status s = (*queue)->scan([&](const JobRecord& r) {
    auto cells = row(r);
    if (format == "csv") {
      for (size_t i = 0; i < ncols; ++i) *out << (i ? "," : "") << csv_field(cells[i]);
      *out << "\n";
    } else {
      nlohmann::json j;
      for (size_t i = 0; i < ncols; ++i) j[kManifestColumns[i]] = cells[i];
      j["bytes"] = r.state == JobState::done ? nlohmann::json(r.manifest.bytes) : nullptr;
      j["attempts"] = r.attempts;
      *out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return static_cast<bool>(*out);
  });
  out->flush();
  if (!s.ok() || !*out) {
    std::fprintf(stderr, "sluice: error: export failed: %s\n",
                 s.ok() ? "write error" : s.error().to_string().c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, const GlobalOptions& g, int* exit_code) {
  auto format = std::make_shared<std::string>("csv");
  auto output = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("export", "Write the manifest as CSV or JSONL");
  cmd->add_option("--format", *format, "csv (default) or jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  cmd->add_option("-o,--output", *output, "File to write (default stdout)");
  cmd->callback(
      [&g, format, output, exit_code]() { *exit_code = run_export(g, *format, *output); });
}

}  // namespace sluice
