// `sluice provider`: the bundled strict test provider (src/provider/), or with
// --print-sha256 the sha256 of the body it would serve for each path read from stdin, or
// with --print-faults the share fault each of those paths has (src/provider/faults.h).
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
#include "provider/shares.h"
#include "util/logger.h"
#include "util/sha256.h"

namespace sluice {
namespace {

struct ProviderFlags {
  ProviderOptions options;
  std::string latency = "none";
  std::string size = "16384";
  std::string oversize = "60m";
  std::string port_file;
  bool print_sha256 = false;
  bool print_faults = false;
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

// A share of paths: a number from 0 to 1.
CLI::Validator share_check() {
  return CLI::Validator(
      [](std::string& s) {
        double share = -1;
        bool ok = CLI::detail::lexical_cast(s, share) && share >= 0 && share <= 1;
        return ok ? std::string() : "must be a number from 0 to 1, not " + s;
      },
      "SHARE");
}

// One byte count (k and m suffixes), as --size takes it but not a range.
std::string check_bytes(std::string& text) {
  auto parsed = parse_size(text);
  if (!parsed.ok()) return parsed.error().detail;
  return parsed->min == parsed->max ? std::string() : "expected one size, not a range";
}

// "<line for path> <path>" for every non-empty line of `in`.
template <typename Describe>
int for_each_path(std::istream& in, std::ostream& out, Describe describe) {
  std::string path;
  while (std::getline(in, path)) {
    if (!path.empty() && path.back() == '\r') path.pop_back();
    if (path.empty()) continue;
    out << describe(path) << ' ' << path << '\n';
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
  flags.options.oversize_bytes = parse_size(flags.oversize).value().min;
  const ProviderOptions& o = flags.options;
  if (flags.print_sha256) {
    // The body each path gets when served normally, whatever the fault flags.
    return for_each_path(std::cin, std::cout,
                         [&](const std::string& p) { return sha256_hex(provider_body(o, p)); });
  }
  if (flags.print_faults) {
    return for_each_path(std::cin, std::cout, [&](const std::string& p) {
      return std::string(
          path_fault_name(p.starts_with("/img/") ? path_fault(o, p) : PathFault::none));
    });
  }
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

// The fault modes (src/provider/faults.h has their order and exact semantics).
void add_fault_flags(CLI::App* cmd, ProviderFlags& flags) {
  ProviderOptions& o = flags.options;
  const auto share = [&](const char* name, double& value, const std::string& what) {
    cmd->add_option(name, value, "Share of /img/ paths (fixed by the path's hash) that " + what)
        ->check(share_check())
        ->capture_default_str();
  };
  share("--share-404", o.share_404, "answer 404");
  share("--share-410", o.share_410, "answer 410");
  share("--share-429", o.share_429, "answer 429 with Retry-After on their first GET");
  share("--share-reset", o.share_reset,
        "on their first GET send the header and half the body, then reset the connection");
  share("--share-short", o.share_short,
        "on their first GET send half the body (Content-Length says all), then close");
  share("--share-drip", o.share_drip, "send their body at --drip-bytes-per-s, every GET");
  share("--share-oversize", o.share_oversize, "serve a body of --oversize-bytes");
  share("--share-wrong-type", o.share_wrong_type, "answer 200 text/html with an HTML page");
  cmd->add_option("--fail-first", o.fail_first,
                  "Every /img/ path answers --fail-status to its first K GETs (counted per "
                  "path; POST /__reset forgets)")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--fail-status", o.fail_status, "Status of --fail-first failures")
      ->check(CLI::IsMember({500, 502, 503, 504}))
      ->capture_default_str();
  cmd->add_option("--retry-after", o.retry_after_s, "Retry-After of --share-429, in seconds")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  cmd->add_flag("--retry-after-date", o.retry_after_date,
                "Send Retry-After as an HTTP date (now + --retry-after) instead of seconds");
  cmd->add_option("--drip-bytes-per-s", o.drip_bytes_per_s, "Rate of --share-drip bodies")
      ->check(CLI::Range(1, 1'000'000'000))
      ->capture_default_str();
  cmd->add_flag("--drip-once", o.drip_once,
                "Drip only the first GET of --share-drip paths, then serve them normally");
  cmd->add_option("--oversize-bytes", flags.oversize,
                  "Body size of --share-oversize paths (k and m suffixes), made as it is sent")
      ->check(CLI::Validator(check_bytes, "SIZE"))
      ->capture_default_str();
}

}  // namespace

void add_provider_command(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ProviderFlags>();
  ProviderOptions& o = flags->options;
  CLI::App* cmd = app.add_subcommand(
      "provider",
      "Run the strict test provider: serves /img/<name>.jpg|.png and /status/<code>/..., "
      "counts connections and requests against --cap, misbehaves as the fault flags say, "
      "reports /__stats and takes POST /__reset and POST /__suspend?seconds=N on the control "
      "port");
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
  CLI::Option* suspend =
      cmd->add_flag("--suspend", o.suspend,
                    "After the first violation answer every request with 403 'account "
                    "suspended' (until POST /__reset)");
  cmd->add_option("--suspend-for", o.suspend_for_s,
                  "After a violation answer 403 'account suspended' for this many seconds, "
                  "then recover; also the default of POST /__suspend")
      ->check(CLI::Range(1, 86400))
      ->excludes(suspend);
  cmd->add_option("--latency", flags->latency,
                  "Delay before each response: none, fixed:MS, exp:MEAN_MS, or "
                  "tail:MEAN_MS:SHARE:LONG_MS (a heavy tail: a SHARE of requests, drawn at "
                  "random, take LONG_MS, the rest are exponential with mean MEAN_MS)")
      ->check(spec_check(parse_latency, "LATENCY"))
      ->capture_default_str();
  cmd->add_option("--size", flags->size,
                  "Body bytes: N or MIN-MAX (chosen per path); k and m suffixes")
      ->check(spec_check(parse_size, "SIZE"))
      ->capture_default_str();
  add_fault_flags(cmd, *flags);
  cmd->add_option("--seed", o.seed, "Seed of the latency draws")->capture_default_str();
  cmd->add_flag("--count-after-disconnect", o.count_after_disconnect,
                "A request whose client leaves during its latency stays counted in flight, "
                "and its connection open, until that latency has elapsed (as a "
                "thread-per-request server that notices only when it writes); nothing is "
                "written then. Default: counted closed at once");
  cmd->add_option("--idle-timeout", o.idle_timeout_s,
                  "Seconds before an idle keep-alive connection is closed")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->add_flag("--print-sha256", flags->print_sha256,
                "Serve nothing: read paths from stdin and print '<sha256> <path>' of the "
                "body each gets when served normally (takes the same --size)");
  cmd->add_flag("--print-faults", flags->print_faults,
                "Serve nothing: read paths from stdin and print '<fault> <path>', the share "
                "fault each has under the same flags (none, oversize, wrong_type, http_410, "
                "http_404, http_429, reset, short, drip)");
  cmd->callback([flags, exit_code] { *exit_code = run_provider(*flags); });
}

}  // namespace sluice
