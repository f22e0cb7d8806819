#include "cli/app.h"

#include <curl/curl.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"

namespace sluice {

int cli_main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CLI::App app{
      "sluice: copy remote files into storage without exceeding a provider's "
      "connection cap"};
  app.require_subcommand(1);
  // Global options are accepted after the subcommand too (`sluice status --queue q.db`):
  // a subcommand hands what it does not know to its parent. Set before the subcommands are
  // added, which inherit it (dlq's own subcommands included).
  app.fallthrough();
  app.set_version_flag("--version", "sluice 0.1.0");
  GlobalOptions g;
  app.add_option(
         "--queue", g.queue,
         "Queue: a SQLite file (default sluice.db), or redis://[[user]:pass@]host[:port][/db]")
      ->envname("SLUICE_QUEUE");
  app.add_flag("-v,--verbose", g.verbose, "More log lines");
  app.add_flag("-q,--quiet", g.quiet, "Only errors and the summary");

  int exit_code = kExitOk;
  add_enqueue_command(app, g, &exit_code);
  add_run_command(app, g, &exit_code);
  add_status_command(app, g, &exit_code);
  add_export_command(app, g, &exit_code);
  add_dlq_command(app, g, &exit_code);
  add_serve_command(app, g, &exit_code);
  add_provider_command(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  } catch (const std::exception& e) {
    // Fatal start-up errors are thrown and caught once, here.
    std::fprintf(stderr, "sluice: error: %s\n", e.what());
    return kExitError;
  }
  curl_global_cleanup();
  return exit_code;
}

}  // namespace sluice
