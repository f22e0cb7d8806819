// Registration of each subcommand on the CLI11 app. Each sets *exit_code when it runs.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/app.h"

namespace sluice {

void add_enqueue_command(CLI::App& app, const GlobalOptions& g, int* exit_code);
void add_run_command(CLI::App& app, const GlobalOptions& g, int* exit_code);
void add_status_command(CLI::App& app, const GlobalOptions& g, int* exit_code);
void add_export_command(CLI::App& app, const GlobalOptions& g, int* exit_code);
void add_dlq_command(CLI::App& app, const GlobalOptions& g, int* exit_code);
void add_serve_command(CLI::App& app, const GlobalOptions& g, int* exit_code);
void add_provider_command(CLI::App& app, int* exit_code);

// Exit codes, stable for scripts.
enum ExitCode {
  kExitOk = 0,
  kExitError = 1,     // the command failed; the message says why
  kExitUsage = 2,     // bad flags (CLI11's own errors use this too)
  kExitRejected = 3,  // enqueue: some input lines were rejected, the rest were accepted
  kExitInterrupted = 130,
};

}  // namespace sluice
