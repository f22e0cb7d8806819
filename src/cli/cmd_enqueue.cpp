// sluice enqueue FILE|- : parse an input file and add its jobs to the queue.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>

#include "cli/commands.h"
#include "cli/open.h"
#include "input/read_jobs.h"
#include "util/clock.h"
#include "util/text.h"

namespace sluice {
namespace {

constexpr int kEnqueueCacheMib = 24;

struct EnqueueArgs {
  std::string file;
  std::string format = "auto";
  std::string url_field = "url";
  std::string id_field;
  // Jobs per transaction: each commit rewrites the id index pages it touched, so larger
  // batches write far less (10,000: 0.86 page writes per line at a million jobs). Two
  // batches are in memory at once (one parsed while the other is written).
  size_t batch = 25'000;
  uint64_t max_line_bytes = InputOptions::kDefaultMaxLineBytes;
};

int run_enqueue(const GlobalOptions& g, const EnqueueArgs& a) {
  InputOptions opt;
  if (!parse_format(a.format, &opt.format)) opt.format = InputOptions::Format::auto_detect;
  opt.url_field = a.url_field;
  opt.id_field = a.id_field;
  opt.max_line_bytes = static_cast<size_t>(a.max_line_bytes);

  std::ifstream file;
  std::istream* in = &std::cin;
  std::string source = "stdin";
  if (a.file != "-") {
    file.open(a.file, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "sluice: error: cannot open %s: %s\n", printable(a.file).c_str(),
                   std::strerror(errno));
      return kExitError;
    }
    in = &file;
    source = a.file;
  }
  // The id index's pages are looked up in random order: a cache that holds most of it at
  // a million jobs, and stays under the 64 MiB the whole process may use.
  auto queue =
      open_queue(g.queue, QueueAccess::create, nullptr, Durability::process, kEnqueueCacheMib);
  if (!queue.ok()) {
    std::fprintf(stderr, "sluice: error: %s\n", queue.error().to_string().c_str());
    return kExitError;
  }
  SystemClock clock;
  EnqueueStats total;
  uint64_t rejected = 0;
  std::vector<JobInput> batch;
  Status failed;
  // Reading and writing overlap: one batch is written (on a thread of its own) while the
  // next is parsed. Batches still go in one at a time and in order, and after a batch
  // fails none follows it.
  Queue& q = **queue;
  std::vector<JobInput> writing_batch;  // the writer's until `writing` is collected
  std::future<Result<EnqueueStats>> writing;
  auto collect = [&]() {
    if (!writing.valid()) return;
    auto r = writing.get();
    writing_batch.clear();
    if (!r.ok()) {
      if (failed.ok()) failed = r.error();
      return;
    }
    total.inserted += r->inserted;
    total.unchanged += r->unchanged;
    total.requeued += r->requeued;
  };
  auto flush = [&]() {
    collect();
    if (batch.empty() || !failed.ok()) return;
    std::swap(writing_batch, batch);
    writing = std::async(std::launch::async, [&q, &writing_batch, now = clock.now_ms()] {
      return q.enqueue(writing_batch, now);
    });
  };
  Status read = read_jobs(
      *in, source, opt,
      [&](JobInput&& job) {
        batch.push_back(std::move(job));
        if (batch.size() >= a.batch) flush();
      },
      [&](const InputProblem& p) {
        ++rejected;
        std::fprintf(stderr, "sluice: error: %s\n", p.message().c_str());
      });
  flush();
  collect();
  if (!failed.ok()) {
    std::fprintf(stderr,
                 "sluice: error: queue %s: %s (the batches before it are committed; "
                 "enqueue is idempotent, so run the same command again)\n",
                 printable(redact_queue_spec(g.queue)).c_str(), failed.error().to_string().c_str());
    return kExitError;
  }
  if (!read.ok()) {
    std::fprintf(stderr, "sluice: error: reading %s: %s\n", printable(source).c_str(),
                 read.error().to_string().c_str());
    return kExitError;
  }
  std::printf("enqueued from %s: %llu new, %llu unchanged, %llu re-queued, %llu rejected\n",
              printable(source).c_str(), static_cast<unsigned long long>(total.inserted),
              static_cast<unsigned long long>(total.unchanged),
              static_cast<unsigned long long>(total.requeued),
              static_cast<unsigned long long>(rejected));
  return rejected > 0 ? kExitRejected : kExitOk;
}

}  // namespace

void add_enqueue_command(CLI::App& app, const GlobalOptions& g, int* exit_code) {
  auto args = std::make_shared<EnqueueArgs>();
  auto* cmd = app.add_subcommand("enqueue", "Add jobs from a JSONL, CSV or URL-per-line file");
  cmd->add_option("file", args->file, "Input file, or - for stdin")->required();
  cmd->add_option("--format", args->format, "auto (default), jsonl, csv or lines")
      ->check(CLI::IsMember({"auto", "jsonl", "csv", "lines"}));
  cmd->add_option("--url-field", args->url_field, "Field or column holding the URL (url)");
  cmd->add_option("--id-field", args->id_field,
                  "Field or column holding the record id (default: the \"id\" field or "
                  "column when there is one, else the URL); name the URL's field to key by URL");
  cmd->add_option("--max-line-bytes", args->max_line_bytes,
                  "Longest input line (1MiB); a longer one is reported and skipped")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30));
  cmd->add_option("--batch", args->batch, "Jobs per transaction (25000)")
      ->check(CLI::Range(1, 1000000));
  cmd->callback([&g, args, exit_code]() { *exit_code = run_enqueue(g, *args); });
}

}  // namespace sluice
