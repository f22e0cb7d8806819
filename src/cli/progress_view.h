// Shows a run's progress. On a terminal: a redrawn progress bar (percent of the run's
// jobs finished, rate, ETA) and, with several hosts, one line per host with its requests
// in flight against its cap. Otherwise: a plain line every plain_interval_ms, as logs want.
// Called on the engine's thread only (Engine::on_progress).
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "gate/gate_stats.h"

namespace sluice {

class ProgressView {
 public:
  enum class Mode { off, tty, plain };
  // plain lines are printed at most every plain_interval_ms.
  ProgressView(Mode mode, FILE* out, int64_t plain_interval_ms = 10'000);
  static Mode detect(FILE* out);  // tty if out is a terminal, else plain

  // hosts: the gate's snapshot; added: jobs that joined the run after it started (serve's
  // posts and replays), so the percentage counts them too.
  void update(const EngineProgress& p, const std::map<std::string, HostGateState>& hosts = {},
              uint64_t added = 0);
  void finish();  // ends the terminal lines

 private:
  Mode mode_;
  FILE* out_;
  int64_t plain_interval_ms_;
  int64_t last_plain_ms_ = -1;
  size_t drawn_lines_ = 0;  // terminal lines drawn last time, to redraw over them
};

// The terminal lines for a progress update, width columns wide at most: the bar line, then
// with two or more hosts one line per host (the busiest kMaxHostLines, then a count of
// the rest). Pure, for tests.
constexpr size_t kMaxHostLines = 8;
std::vector<std::string> progress_lines(const EngineProgress& p,
                                        const std::map<std::string, HostGateState>& hosts,
                                        uint64_t added, size_t width);

}  // namespace sluice
