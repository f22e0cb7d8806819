// sluice dlq list|replay|export|summary: the dead-letter queue (jobs in state dead, with
// the reason code of their last failure).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/open.h"
#include "util/clock.h"
#include "util/text.h"

namespace sluice {
namespace {

struct DlqArgs {
  DeadFilter filter;
  bool json = false;
  uint64_t limit = 0;  // 0: no limit
  std::string format = "csv";
  std::string output;
};

// A table cell: control characters become spaces; a cell longer than cap (0: none) ends in
// "...".
std::string cell(std::string s, size_t cap) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (cap > 3 && s.size() > cap) s = s.substr(0, cap - 3) + "...";
  return s;
}

const char* kDeadColumns[] = {"id", "url", "host", "reason", "detail", "attempts", "updated_at"};
constexpr size_t kNumDeadColumns = sizeof kDeadColumns / sizeof kDeadColumns[0];

std::vector<std::string> fields(const JobRecord& r) {
  return {r.id,
          r.url,
          r.host_key,
          r.error_code,
          r.error_detail,
          std::to_string(r.attempts),
          iso_time(r.updated_at_ms)};
}

// One JSON line. URLs and details come from third parties: bytes that are not UTF-8 are
// replaced rather than thrown on.
std::string json_line(const JobRecord& r) {
  auto f = fields(r);
  nlohmann::json j;
  for (size_t i = 0; i < kNumDeadColumns; ++i) j[kDeadColumns[i]] = f[i];
  j["attempts"] = r.attempts;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int fail(const Error& e) {
  std::fprintf(stderr, "sluice: error: %s\n", e.to_string().c_str());
  return kExitError;
}

// Said on stderr when a filter selected nothing: which reasons there are.
void hint_reasons(Queue& q) {
  auto st = q.stats();
  if (!st.ok() || st->dead_by_reason.empty()) {
    std::fprintf(stderr, "sluice: the dead-letter queue is empty\n");
    return;
  }
  std::string present;
  for (const auto& [reason, n] : st->dead_by_reason) {
    present += (present.empty() ? "" : ", ") + reason + " (" + std::to_string(n) + ")";
  }
  std::fprintf(stderr, "sluice: no dead job matched; dead jobs by reason: %s\n", present.c_str());
}

int run_list(const GlobalOptions& g, const DlqArgs& a) {
  auto queue = open_queue(g.queue, QueueAccess::existing);
  if (!queue.ok()) return fail(queue.error());
  // The table's columns are sized on the first rows, then the rest stream through; only
  // url and detail are cut short (--json has them whole).
  const size_t kShown[] = {0, 1, 3, 4, 5, 6};  // id url reason detail attempts updated_at
  const size_t kCap[] = {0, 64, 0, 0, 40, 0, 0};
  std::vector<std::vector<std::string>> head;
  std::vector<size_t> width;
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c : kShown) {
      std::string v = cell(row[c], kCap[c]);
      line += v + std::string(v.size() < width[c] ? width[c] - v.size() + 2 : 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    std::printf("%s\n", line.c_str());
  };
  auto flush_head = [&] {
    std::vector<std::string> names(std::begin(kDeadColumns), std::end(kDeadColumns));
    width.assign(kNumDeadColumns, 0);
    for (size_t c : kShown) {
      width[c] = names[c].size();
      for (const auto& row : head) width[c] = std::max(width[c], cell(row[c], kCap[c]).size());
    }
    print(names);
    for (const auto& row : head) print(row);
    head.clear();
  };
  uint64_t n = 0;
  Status s = (*queue)->scan_dead(a.filter, [&](const JobRecord& r) {
    ++n;
    if (a.json) {
      std::printf("%s\n", json_line(r).c_str());
    } else if (width.empty()) {
      head.push_back(fields(r));
      if (head.size() == 200) flush_head();
    } else {
      print(fields(r));
    }
    return a.limit == 0 || n < a.limit;
  });
  if (!s.ok()) return fail(s.error());
  if (!a.json && n > 0 && width.empty()) flush_head();
  if (n == 0) hint_reasons(**queue);
  return kExitOk;
}

int run_replay(const GlobalOptions& g, const DlqArgs& a) {
  if (a.filter.empty() && !a.filter.all) {
    std::fprintf(stderr,
                 "sluice: error: dlq replay needs --reason, --host or --id to choose jobs, or "
                 "--all to replay every dead job\n");
    return kExitUsage;
  }
  if (!a.filter.empty() && a.filter.all) {
    std::fprintf(stderr, "sluice: error: --all replays every dead job; drop it or the filters\n");
    return kExitUsage;
  }
  auto queue = open_queue(g.queue, QueueAccess::existing);
  if (!queue.ok()) return fail(queue.error());
  SystemClock clock;
  auto n = (*queue)->replay(a.filter, clock.now_ms());
  if (!n.ok()) return fail(n.error());
  std::printf("replayed %llu job%s\n", static_cast<unsigned long long>(*n), *n == 1 ? "" : "s");
  if (*n == 0) hint_reasons(**queue);
  return kExitOk;
}

int run_export(const GlobalOptions& g, const DlqArgs& a) {
  auto queue = open_queue(g.queue, QueueAccess::existing);
  if (!queue.ok()) return fail(queue.error());
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!a.output.empty() && a.output != "-") {
    file.open(a.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      return fail(make_error(Reason::io,
                             "cannot write " + printable(a.output) + ": " + std::strerror(errno)));
    }
    out = &file;
  }
  bool csv = a.format == "csv";
  if (csv) {
    for (size_t i = 0; i < kNumDeadColumns; ++i) *out << (i ? "," : "") << kDeadColumns[i];
    *out << "\n";
  }
  Status s = (*queue)->scan_dead(a.filter, [&](const JobRecord& r) {
    if (csv) {
      auto f = fields(r);
      for (size_t i = 0; i < kNumDeadColumns; ++i) *out << (i ? "," : "") << csv_field(f[i]);
      *out << "\n";
    } else {
      *out << json_line(r) << "\n";
    }
    return static_cast<bool>(*out);
  });
  out->flush();
  if (!s.ok()) return fail(s.error());
  if (!*out) return fail(make_error(Reason::io, "dlq export: write error"));
  return kExitOk;
}

int run_summary(const GlobalOptions& g, const DlqArgs& a) {
  auto queue = open_queue(g.queue, QueueAccess::existing);
  if (!queue.ok()) return fail(queue.error());
  uint64_t total = 0;
  std::map<std::string, uint64_t> by_reason, by_host;
  Status s = (*queue)->scan_dead(a.filter, [&](const JobRecord& r) {
    ++total;
    ++by_reason[r.error_code];
    ++by_host[r.host_key];
    return true;
  });
  if (!s.ok()) return fail(s.error());
  if (a.json) {
    nlohmann::json j{{"dead", total}, {"by_reason", by_reason}, {"by_host", by_host}};
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::printf("dead jobs: %llu\n", static_cast<unsigned long long>(total));
  for (const auto& [title, counts] :
       {std::pair{"reason", &by_reason}, std::pair{"host", &by_host}}) {
    if (!counts->empty()) std::printf("by %s:\n", title);
    for (const auto& [key, n] : *counts) {
      std::printf("  %-40s %llu\n", key.c_str(), static_cast<unsigned long long>(n));
    }
  }
  if (total == 0) hint_reasons(**queue);
  return kExitOk;
}

void add_filter_options(CLI::App* cmd, DeadFilter& f) {
  cmd->add_option("--reason", f.reason,
                  "Reason code (http_404, timeout, ...) or class (http_4xx, http_5xx)");
  cmd->add_option("--host", f.host, "HOST:PORT, or HOST for every port");
  cmd->add_option("--id", f.id, "One job's id");
}

}  // namespace

void add_dlq_command(CLI::App& app, const GlobalOptions& g, int* exit_code) {
  auto* dlq = app.add_subcommand("dlq", "The dead-letter queue: list, replay, export, summary");
  dlq->require_subcommand(1);

  auto list = std::make_shared<DlqArgs>();
  auto* cmd = dlq->add_subcommand("list", "Dead jobs, by reason, then in enqueue order");
  add_filter_options(cmd, list->filter);
  cmd->add_flag("--json", list->json, "One JSON object per line");
  cmd->add_option("--limit", list->limit, "At most N jobs (0: all)");
  cmd->callback([&g, list, exit_code] { *exit_code = run_list(g, *list); });

  auto replay = std::make_shared<DlqArgs>();
  cmd = dlq->add_subcommand("replay", "Move dead jobs back to queued, attempts reset");
  add_filter_options(cmd, replay->filter);
  cmd->add_flag("--all", replay->filter.all, "Replay every dead job");
  cmd->callback([&g, replay, exit_code] { *exit_code = run_replay(g, *replay); });

  auto exp = std::make_shared<DlqArgs>();
  cmd = dlq->add_subcommand("export", "Write the dead jobs and their reasons as CSV or JSONL");
  add_filter_options(cmd, exp->filter);
  cmd->add_option("--format", exp->format, "csv (default) or jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  cmd->add_option("-o,--output", exp->output, "File to write (default stdout)");
  cmd->callback([&g, exp, exit_code] { *exit_code = run_export(g, *exp); });

  auto summary = std::make_shared<DlqArgs>();
  cmd = dlq->add_subcommand("summary", "Dead jobs counted by reason and by host");
  add_filter_options(cmd, summary->filter);
  cmd->add_flag("--json", summary->json, "Print JSON");
  cmd->callback([&g, summary, exit_code] { *exit_code = run_summary(g, *summary); });
}

}  // namespace sluice
