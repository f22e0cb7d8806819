// Shows a run's progress: a redrawn line on a terminal, periodic plain lines otherwise.
#pragma once

#include <cstdint>
#include <cstdio>

#include "engine/engine.h"

namespace sluice {

class ProgressView {
 public:
  enum class Mode { off, tty, plain };
  // plain lines are printed at most every plain_interval_ms.
  ProgressView(Mode mode, FILE* out, int64_t plain_interval_ms = 10'000);
  static Mode detect(FILE* out);  // tty if out is a terminal, else plain

  void update(const EngineProgress& p);
  void finish();  // ends the terminal line

 private:
  Mode mode_;
  FILE* out_;
  int64_t plain_interval_ms_;
  int64_t last_plain_ms_ = -1;
  bool drew_ = false;
};

}  // namespace sluice
