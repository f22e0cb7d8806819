// The HTTP side of `sluice serve`, on cpp-httplib: the JSON API, /metrics, the health
// checks and the dashboard. Endpoints (README "Serve" has the user's view):
//
//   POST /api/jobs          enqueue a JSON object, an array of them, or JSONL (api_jobs.cpp)
//   GET  /api/status        counts, per-host caps and connections, circuits, rates, ETA
//   GET  /api/series        the sampled history the dashboard draws (?after_ms=T)
//   GET  /api/dlq           dead jobs (?reason= &host= &id= &limit=), as `dlq list`
//   POST /api/dlq/replay    dead jobs back to queued ({"reason": ...} or {"all": true})
//   GET  /metrics           Prometheus text format (metrics_text.h)
//   GET  /healthz           the process answers (never needs the token)
//   GET  /readyz            the queue and the store are reachable and the run is not stopping
//   GET  /, /app.js, /app.css   the dashboard (assets/, compiled into the binary)
//
// Security: with a token, every endpoint but /healthz and the dashboard's three static
// files (which hold no data) demands "Authorization: Bearer <token>", compared in
// constant time; a refusal is 401 before the body is read, so nothing changes.
// Errors are JSON: {"error": {"code": "<stable code>", "message": "..."}}.
//
// Threads and lifetime: start() binds and serves on a listener thread and a small pool
// of handler threads; handlers only read snapshots (SnapshotSource, Series) and use the
// server's own Queue handle, never the engine. stop() (any thread, idempotent; also the
// destructor) stops accepting, lets running handlers finish, and joins every thread.
// Shutdown order in `serve`: stop the HTTP server, stop the engine, join the rest.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "input/read_jobs.h"
#include "queue/queue.h"
#include "server/listen.h"
#include "server/series.h"
#include "server/snapshot.h"
#include "util/clock.h"
#include "util/logger.h"

namespace sluice {

struct ServerOptions {
  ListenAddress listen{"127.0.0.1", 8080};
  std::string token;                   // "" : none (only allowed on loopback; see listen.h)
  size_t max_body = size_t{16} << 20;  // POST bodies over this get 413, nothing read from them
  InputOptions input;                  // default url/id fields for POST /api/jobs
  size_t max_problems = 100;           // rejected records listed in one answer
  size_t threads = 8;                  // handler threads
  uint64_t dlq_limit = 100;            // GET /api/dlq rows without ?limit
  uint64_t dlq_max_limit = 10'000;     // ... and the most one answer holds
};

// What the handlers use. Everything must outlive the HttpServer.
struct ServerParts {
  Queue& queue;  // the server's own handle (thread-safe: sqlite_queue.h, redis_queue.h)
  SnapshotSource& snapshots;
  const Series& series;
  const Clock& clock;
  Logger& log;
  // ok when the store can take objects and the run goes on; the error says what is not.
  std::function<Status()> ready;
  // Told how many jobs became ready to run through the API (new or re-queued by a post,
  // replayed); called on handler threads. May be empty.
  std::function<void(uint64_t)> added = {};
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, ServerParts parts);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds options.listen (port 0: a free port) and starts serving. Returns the bound
  // address; an error (Reason::io) names the address when it cannot bind.
  [[nodiscard]] Result<ListenAddress> start();
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
