// `sluice provider`: the bundled strict test provider (src/provider/), or with
// --print-sha256 the sha256 of the body it would serve for each path read from stdin.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "provider/provider.h"
#include "util/logger.h"
#include "util/sha256.h"

namespace sluice {
namespace {

struct ProviderFlags {
  ProviderOptions options;
  std::string latency = "none";
  std::string size = "16384";
  std::string port_file;
  bool print_sha256 = false;
};

// A CLI11 check from one of the provider's parsers: CLI11 prefixes the flag's name.
template <typename Parse>
CLI::Validator spec_check(Parse parse, const std::string& what) {
  return CLI::Validator(
      [parse](std::string& text) {
        auto parsed = parse(text);
        return parsed.ok() ? std::string() : parsed.error().detail;
      },
      what);
}

// "<sha256hex> <path>" for every non-empty line of `in`.
int print_sha256(const SizeSpec& size, std::istream& in, std::ostream& out) {
  std::string path;
  while (std::getline(in, path)) {
    if (!path.empty() && path.back() == '\r') path.pop_back();
    if (path.empty()) continue;
    out << sha256_hex(provider_body(size, path)) << ' ' << path << '\n';
  }
  out.flush();
  return out ? kExitOk : kExitError;
}

// Written whole, then renamed into place: a reader never sees half a line.
void write_port_file(const std::string& file, const std::string& line) {
  const std::string temp = file + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << line << '\n';
    if (!out.flush()) throw std::runtime_error("--port-file: cannot write " + temp);
  }
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
  if (ec) throw std::runtime_error("--port-file: cannot rename to " + file + ": " + ec.message());
}

int run_provider(ProviderFlags& flags) {
  flags.options.latency = parse_latency(flags.latency).value();  // checked while parsing
  flags.options.size = parse_size(flags.size).value();
  if (flags.print_sha256) return print_sha256(flags.options.size, std::cin, std::cout);
  if (flags.options.port != 0 && flags.options.port == flags.options.control_port) {
    throw CLI::ValidationError("--control-port", "must differ from --port");
  }

  StderrLogger logger;
  Provider provider(flags.options, logger);
  if (Status s = provider.start(); !s) throw std::runtime_error(s.error().detail);
  provider.stop_on_signals();  // before announcing: a script may signal right after reading
  const std::string line = provider.listening_line();
  if (!flags.port_file.empty()) write_port_file(flags.port_file, line);
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  provider.run();
  return kExitOk;
}

}  // namespace

void add_provider_command(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ProviderFlags>();
  ProviderOptions& o = flags->options;
  CLI::App* cmd = app.add_subcommand(
      "provider",
      "Run the strict test provider: serves /img/<name>.jpg|.png and /status/<code>/..., "
      "counts connections and requests against --cap, reports /__stats and takes "
      "POST /__reset on the control port");
  cmd->add_option("--listen", o.listen, "Address both ports listen on")
      ->check(CLI::Validator(
          [](std::string& s) {
            return is_ip_literal(s) ? std::string() : "not an IP address: " + s;
          },
          "IP"))
      ->capture_default_str();
  cmd->add_option("--port", o.port, "Main port; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--control-port", o.control_port,
                  "Uncounted port for /__stats and /__reset; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--port-file", flags->port_file,
                  "Also write the 'listening ...' line to this file");
  cmd->add_option("--cap", o.cap,
                  "Most open connections and in-flight requests allowed; more is a "
                  "violation. 0: no cap")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  cmd->add_flag("--suspend", o.suspend,
                "After the first violation answer every request with 403 'account "
                "suspended'");
  cmd->add_option("--latency", flags->latency,
                  "Delay before each response: none, fixed:MS or exp:MEAN_MS")
      ->check(spec_check(parse_latency, "LATENCY"))
      ->capture_default_str();
  cmd->add_option("--size", flags->size,
                  "Body bytes: N or MIN-MAX (chosen per path); k and m suffixes")
      ->check(spec_check(parse_size, "SIZE"))
      ->capture_default_str();
  cmd->add_option("--share-404", o.share_404,
                  "Share of /img/ paths (fixed by the path's hash) that answer 404")
      ->check(CLI::Validator(
          [](std::string& s) {
            double share = -1;
            bool ok = CLI::detail::lexical_cast(s, share) && share >= 0 && share <= 1;
            return ok ? std::string() : "must be a number from 0 to 1, not " + s;
          },
          "SHARE"))
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed of the latency draws")->capture_default_str();
  cmd->add_option("--idle-timeout", o.idle_timeout_s,
                  "Seconds before an idle keep-alive connection is closed")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->add_flag("--print-sha256", flags->print_sha256,
                "Serve nothing: read paths from stdin and print '<sha256> <path>' of the "
                "body each would get (takes the same --size)");
  cmd->callback([flags, exit_code] { *exit_code = run_provider(*flags); });
}

}  // namespace sluice
