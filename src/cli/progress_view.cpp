#include "cli/progress_view.h"

#include <unistd.h>

#include <string>

namespace sluice {

ProgressView::ProgressView(Mode mode, FILE* out, int64_t plain_interval_ms)
    : mode_(mode), out_(out), plain_interval_ms_(plain_interval_ms) {}

ProgressView::Mode ProgressView::detect(FILE* out) {
  return isatty(fileno(out)) ? Mode::tty : Mode::plain;
}

void ProgressView::update(const EngineProgress& p) {
  if (mode_ == Mode::off) return;
  double secs = p.elapsed_ms / 1000.0;
  double rate = secs > 0 ? (p.done + p.dead) / secs : 0;
  uint64_t finished = p.done + p.dead;
  std::string eta = "-";
  if (rate > 0 && p.queued_at_start > finished) {
    eta = std::to_string(static_cast<int64_t>((p.queued_at_start - finished) / rate)) + "s";
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "done %llu  dead %llu  retried %llu  in-flight %llu  %.1f/s  %.1f MiB  "
                "elapsed %.0fs  eta %s%s",
                static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.dead),
                static_cast<unsigned long long>(p.retried),
                static_cast<unsigned long long>(p.in_flight), rate, p.bytes / 1048576.0, secs,
                eta.c_str(),
                p.stopping      ? "  (stopping)"
                : p.disk_paused ? "  (paused: disk fault)"
                                : "");
  if (mode_ == Mode::tty) {
    std::fprintf(out_, "\r\033[K%s", line);
    drew_ = true;
  } else {
    if (last_plain_ms_ >= 0 && p.elapsed_ms - last_plain_ms_ < plain_interval_ms_) return;
    last_plain_ms_ = p.elapsed_ms;
    std::fprintf(out_, "sluice: progress: %s\n", line);
  }
  std::fflush(out_);
}

void ProgressView::finish() {
  if (drew_) std::fprintf(out_, "\n");
  drew_ = false;
}

}  // namespace sluice
