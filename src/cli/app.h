// The `sluice` command line: one subcommand per file (cmd_*.cpp), wired here.
#pragma once

#include <string>

namespace sluice {

// Options every subcommand shares.
struct GlobalOptions {
  std::string queue = "sluice.db";  // --queue / SLUICE_QUEUE: a SQLite file or redis://...
  bool verbose = false;
  bool quiet = false;
};

int cli_main(int argc, char** argv);

}  // namespace sluice
