// The bundled strict test provider (`sluice provider`): an HTTP server that plays the
// fragile partner. It serves deterministic images, counts open connections and in-flight
// requests itself, reports every excursion over the cap as a violation (and, with
// --suspend, refuses everything after the first, as the real partner did), misbehaves on
// purpose as its fault flags say (faults.h), and answers /__stats, /__reset and /__suspend
// on a second, uncounted control port.
//
// One thread runs one Boost.Asio io_context; HTTP is parsed by Beast. There is no thread
// pool, which would hide violations: the provider sees what the client does.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "provider/body.h"
#include "provider/counters.h"
#include "provider/options.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/logger.h"

namespace sluice {

class Provider {
 public:
  // `logger` and `clock` (null: the system clock; it times suspensions and dates
  // Retry-After) outlive the provider.
  Provider(ProviderOptions options, Logger& logger, const Clock* clock = nullptr);
  // Stops the loop and joins the thread of run_in_thread().
  ~Provider();
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  // Raises RLIMIT_NOFILE to its hard limit and binds both listeners. Call once.
  [[nodiscard]] Status start();
  int port() const;          // after start()
  int control_port() const;  // after start()
  // "listening 127.0.0.1:PORT control 127.0.0.1:CPORT"
  std::string listening_line() const;

  // SIGINT and SIGTERM stop the loop. For the command line, not for tests.
  void stop_on_signals();
  // Serves on the calling thread until stop() (or a signal).
  void run();
  // Serves on a thread of its own until stop() or destruction.
  void run_in_thread();
  // From any thread. The counts then stay as they were.
  void stop();

  // From any thread: what /__stats would answer.
  ProviderStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
