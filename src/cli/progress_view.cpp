#include "cli/progress_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace sluice {
namespace {

std::string bar(double fraction, size_t cells) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  size_t full = static_cast<size_t>(fraction * cells + 0.5);
  return std::string(full, '#') + std::string(cells - full, '-');
}

std::string eta_text(double seconds) {
  auto s = static_cast<int64_t>(seconds + 0.5);
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + std::to_string(s % 3600 / 60) + "m";
}

std::string fit(std::string line, size_t width) {
  if (width > 0 && line.size() > width) line.resize(width);
  return line;
}

size_t terminal_width(FILE* out) {
  winsize ws{};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 100;
}

// What the run is doing besides fetching, if anything.
const char* status_note(const EngineProgress& p) {
  if (p.stopping) return "  (stopping)";
  if (p.disk_paused) return "  (paused: disk fault)";
  return "";
}

}  // namespace

std::vector<std::string> progress_lines(const EngineProgress& p,
                                        const std::map<std::string, HostGateState>& hosts,
                                        uint64_t added, size_t width) {
  double secs = p.elapsed_ms / 1000.0;
  uint64_t finished = p.done + p.dead;
  uint64_t total = std::max(p.queued_at_start + added, finished);
  double rate = secs > 0 ? finished / secs : 0;
  double fraction = total ? static_cast<double>(finished) / total : 1.0;
  std::string eta = "-";
  if (total == finished) {
    eta = "0s";
  } else if (rate > 0) {
    eta = eta_text((total - finished) / rate);
  }
  char head[256];
  std::snprintf(head, sizeof head,
                " %5.1f%%  %llu/%llu  dead %llu  %.1f/s  %.1f MiB  in flight %llu  eta %s%s",
                100 * fraction, static_cast<unsigned long long>(finished),
                static_cast<unsigned long long>(total), static_cast<unsigned long long>(p.dead),
                rate, p.bytes / 1048576.0, static_cast<unsigned long long>(p.in_flight),
                eta.c_str(), status_note(p));
  std::vector<std::string> lines{fit("[" + bar(fraction, 24) + "]" + head, width)};
  if (hosts.size() < 2) return lines;

  std::vector<std::pair<std::string, HostGateState>> busiest(hosts.begin(), hosts.end());
  std::stable_sort(busiest.begin(), busiest.end(), [](const auto& a, const auto& b) {
    return a.second.in_flight > b.second.in_flight;
  });
  size_t name_width = 0;
  for (size_t i = 0; i < busiest.size() && i < kMaxHostLines; ++i) {
    name_width = std::max(name_width, std::min<size_t>(busiest[i].first.size(), 40));
  }
  for (size_t i = 0; i < busiest.size() && i < kMaxHostLines; ++i) {
    const auto& [host, st] = busiest[i];
    char line[256];
    std::snprintf(
        line, sizeof line, "  %-*.*s [%s] %3d/%-3d%s%s", static_cast<int>(name_width),
        static_cast<int>(name_width), host.c_str(),
        bar(st.cap ? static_cast<double>(st.in_flight) / st.cap : 0, 20).c_str(), st.in_flight,
        st.cap,
        st.effective_cap < st.cap ? (" slowed to " + std::to_string(st.effective_cap)).c_str() : "",
        st.circuit != CircuitState::closed
            ? ("  CIRCUIT " + std::string(circuit_name(st.circuit))).c_str()
            : "");
    lines.push_back(fit(line, width));
  }
  if (busiest.size() > kMaxHostLines) {
    lines.push_back("  ... and " + std::to_string(busiest.size() - kMaxHostLines) + " more hosts");
  }
  return lines;
}

ProgressView::ProgressView(Mode mode, FILE* out, int64_t plain_interval_ms)
    : mode_(mode), out_(out), plain_interval_ms_(plain_interval_ms) {}

ProgressView::Mode ProgressView::detect(FILE* out) {
  return isatty(fileno(out)) ? Mode::tty : Mode::plain;
}

void ProgressView::update(const EngineProgress& p,
                          const std::map<std::string, HostGateState>& hosts, uint64_t added) {
  if (mode_ == Mode::off) return;
  if (mode_ == Mode::tty) {
    std::vector<std::string> lines = progress_lines(p, hosts, added, terminal_width(out_) - 1);
    std::string text;
    // Back to the first line drawn last time, then redraw each line.
    if (drawn_lines_ > 1) text += "\033[" + std::to_string(drawn_lines_ - 1) + "A";
    text += "\r";
    for (size_t i = 0; i < std::max(lines.size(), drawn_lines_); ++i) {
      if (i > 0) text += "\n";
      text += "\033[K";
      if (i < lines.size()) text += lines[i];
    }
    // Stay on the last line written; lines left over from a longer frame were cleared.
    drawn_lines_ = std::max(lines.size(), drawn_lines_);
    std::fputs(text.c_str(), out_);
    std::fflush(out_);
    return;
  }
  double secs = p.elapsed_ms / 1000.0;
  double rate = secs > 0 ? (p.done + p.dead) / secs : 0;
  uint64_t finished = p.done + p.dead;
  uint64_t total = p.queued_at_start + added;
  std::string eta = "-";
  if (rate > 0 && total > finished) {
    eta = std::to_string(static_cast<int64_t>((total - finished) / rate)) + "s";
  }
  if (last_plain_ms_ >= 0 && p.elapsed_ms - last_plain_ms_ < plain_interval_ms_) return;
  last_plain_ms_ = p.elapsed_ms;
  char line[256];
  std::snprintf(line, sizeof line,
                "done %llu  dead %llu  retried %llu  in-flight %llu  %.1f/s  %.1f MiB  "
                "elapsed %.0fs  eta %s%s",
                static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.dead),
                static_cast<unsigned long long>(p.retried),
                static_cast<unsigned long long>(p.in_flight), rate, p.bytes / 1048576.0, secs,
                eta.c_str(), status_note(p));
  std::fprintf(out_, "sluice: progress: %s\n", line);
  std::fflush(out_);
}

void ProgressView::finish() {
  if (drawn_lines_ > 0) std::fprintf(out_, "\n");
  drawn_lines_ = 0;
}

}  // namespace sluice
