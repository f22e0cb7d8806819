// The per-format half of read_jobs: one parser per format turns physical lines into jobs.
// read_jobs owns the line loop (line_reader.h) and hands every line to the parser in order.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "input/read_jobs.h"

namespace sluice {

// Where a parser puts what it finds. problem's line is the first line of the rejected
// record; its error is bad_input or bad_url with the reason in the detail.
struct RecordSink {
  std::function<void(JobInput&&)> job;
  std::function<void(size_t line, const Error&)> problem;
};

// Used from one thread, by read_jobs: line() for every line in order, skipped() in place of
// a line too long to keep, then finish() once at the end of the input. After a call returns
// an error, no other call may follow.
class RecordParser {
 public:
  virtual ~RecordParser() = default;
  // One physical line without its end-of-line characters. A bad record is a problem given
  // to the sink; an error stops the reading (a CSV header without the URL column), and its
  // detail starts with the line it concerns: "3: the CSV header has no column ...".
  virtual Status line(std::string_view text, size_t number) = 0;
  // Line `number` was longer than the bound and is not given; its own problem is reported
  // by read_jobs after this call. A CSV record it would have belonged to is rejected; a CSV
  // header it would have been is an error.
  virtual Status skipped(size_t number) {
    (void)number;
    return Status();
  }
  // The end of the input: a CSV record left open by a quote is rejected.
  virtual Status finish() { return Status(); }
};

// sink must outlive the parser.
std::unique_ptr<RecordParser> make_jsonl_parser(const InputOptions& options,
                                                const RecordSink& sink);
std::unique_ptr<RecordParser> make_csv_parser(const InputOptions& options, const RecordSink& sink);
std::unique_ptr<RecordParser> make_lines_parser(const RecordSink& sink);

// True when the line, read alone as a CSV record, has a cell equal to url_field.
bool looks_like_csv_header(std::string_view line, const std::string& url_field);

// The job for a URL and its id (nullopt: the URL is the id). bad_url with the reason when
// the URL is refused: parse_url's checks, and check_host_name's.
Result<JobInput> make_job(std::string url, std::optional<std::string> id);

// A parser for formats whose every line is one record (JSONL, URL lines).
class LineRecordParser : public RecordParser {
 public:
  explicit LineRecordParser(const RecordSink& sink) : sink_(sink) {}
  Status line(std::string_view text, size_t number) final;

 protected:
  // A job; nullopt for a line to skip silently (blank, comment); or the line's problem.
  virtual Result<std::optional<JobInput>> parse(std::string_view line) = 0;

 private:
  const RecordSink& sink_;
};

}  // namespace sluice
