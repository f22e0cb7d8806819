// sluice serve: the workers of `run --follow` and an HTTP server in one process, on a SQLite
// queue file or a Redis queue (then one worker among any number of `serve` and `run`
// processes sharing the caps). The application posts jobs and never waits for downloads;
// operators watch /metrics and the dashboard. Shutdown (SIGINT/SIGTERM): stop accepting HTTP, stop
// the engine as `run` does (in-flight work finishes within --grace, the rest is released), join the
// threads.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/commands.h"
#include "cli/open.h"
#include "cli/run_args.h"
#include "server/http_server.h"
#include "server/run_metrics.h"
#include "server/sampler.h"
#include "server/series.h"
#include "server/snapshot.h"

namespace sluice {
namespace {

struct ServeArgs {
  RunArgs run;
  std::string listen = "127.0.0.1:8080";
  std::string token;
  uint64_t max_body = uint64_t{16} << 20;
  std::string url_field = "url";
  std::string id_field;
  size_t threads = 8;
};

class ServeHooks final : public RunHooks {
 public:
  ServeHooks(const GlobalOptions& g, ServerOptions options, Durability durability)
      : g_(g), options_(std::move(options)), durability_(durability) {}
  ~ServeHooks() override { finished(); }

  Status started(const RunParts& p) override {
    // The server's own queue handle, used by the handler threads (and the snapshots) only,
    // never by the engine. SQLite: a second connection; WAL lets it read and write beside
    // the engine's (busy_timeout waits out the engine's group commits), and posted jobs are
    // committed as durably as the run's (--durability). Redis: a second connection, which
    // RedisQueue serialises between the handler threads; its counts are the whole queue's,
    // every worker's, while the gate's figures are this process's (README, "Serve").
    auto queue = open_queue(g_.queue, QueueAccess::create, &p.log, durability_, /*cache_mib=*/8);
    if (!queue.ok()) return queue.error();
    queue_ = std::move(*queue);
    p.engine.set_stats(&metrics_);
    sampler_ = std::make_unique<Sampler>(p.gate_stats, metrics_, series_, p.clock);
    snapshots_ =
        std::make_unique<SnapshotSource>(*queue_, p.gate_stats, p.limits, metrics_, series_,
                                         p.clock, [this] { return stopping_.load(); });
    std::string spool = p.store.spool_dir().string();
    auto ready = [this, spool]() -> Status {
      if (stopping_.load()) return make_error(Reason::cancelled, "the run is stopping");
      if (::access(spool.c_str(), W_OK) != 0) {
        return make_error(Reason::store_io, "the store's spool " + spool +
                                                " is not writable: " + std::strerror(errno));
      }
      return Status();
    };
    auto added = [this](uint64_t n) { added_.fetch_add(n); };
    server_ = std::make_unique<HttpServer>(
        options_, ServerParts{*queue_, *snapshots_, series_, p.clock, p.log, ready, added});
    auto at = server_->start();
    if (!at.ok()) return at.error();
    sampler_->start();
    std::printf("serve: listening on http://%s\n", at->to_string().c_str());
    std::fflush(stdout);
    p.log.info("serving the API, /metrics and the dashboard on http://" + at->to_string() +
               (options_.token.empty() ? "" : " (token required)"));
    return Status();
  }

  void stopping() override {
    stopping_.store(true);
    if (server_) server_->stop();
  }

  uint64_t jobs_added() const override { return added_.load(); }

  void finished() override {
    stopping_.store(true);
    if (server_) server_->stop();
    if (sampler_) sampler_->stop();
  }

 private:
  const GlobalOptions& g_;
  ServerOptions options_;
  Durability durability_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> added_{0};
  std::unique_ptr<Queue> queue_;
  RunMetrics metrics_;
  Series series_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<SnapshotSource> snapshots_;
  std::unique_ptr<HttpServer> server_;  // declared last: stopped and destroyed first
};

int run_serve(const GlobalOptions& g, ServeArgs a) {
  auto listen = parse_listen(a.listen);
  if (!listen.ok()) {
    std::fprintf(stderr, "sluice: error: %s\n", listen.error().detail.c_str());
    return kExitUsage;
  }
  Status exposed = check_exposure(*listen, a.token);
  if (!exposed.ok()) {
    std::fprintf(stderr, "sluice: error: %s\n", exposed.error().detail.c_str());
    return kExitUsage;
  }
  ServerOptions o;
  o.listen = *listen;
  o.token = a.token;
  o.max_body = a.max_body;
  o.input.url_field = a.url_field;
  o.input.id_field = a.id_field;
  o.threads = a.threads;
  a.run.follow = true;  // a server waits for the jobs its clients post
  ServeHooks hooks(g, std::move(o),
                   parse_durability(a.run.durability).value_or(Durability::process));
  return run_with(g, a.run, &hooks);
}

}  // namespace

void add_serve_command(CLI::App& app, const GlobalOptions& g, int* exit_code) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand(
      "serve", "Run the workers (as run --follow) with an HTTP API, /metrics and a dashboard");
  cmd->add_option("--listen", a->listen,
                  "ADDR:PORT to serve HTTP on (127.0.0.1:8080; port 0: any free port). "
                  "A non-loopback address needs --token");
  cmd->add_option("--token", a->token,
                  "Bearer token every endpoint but /healthz demands (required off loopback)")
      ->envname("SLUICE_TOKEN");
  cmd->add_option("--max-body", a->max_body,
                  "Largest POST body (16MiB); a larger one gets 413 and nothing is enqueued")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t{1024}, uint64_t{1} << 32));
  cmd->add_option("--url-field", a->url_field,
                  "Field holding the URL in posted records (url; ?url_field= per request)");
  cmd->add_option("--id-field", a->id_field,
                  "Field holding the record id in posted records (default: the \"id\" field "
                  "when a record has one, else the URL; ?id_field= per request)");
  cmd->add_option("--http-threads", a->threads, "Threads answering HTTP requests (8)")
      ->check(CLI::Range(1, 256));
  add_run_options(cmd, &a->run);
  cmd->callback([&g, a, exit_code]() { *exit_code = run_serve(g, *a); });
}

}  // namespace sluice
