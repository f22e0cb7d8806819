// read_jobs: format detection and the line loop; the formats are in *_parser.cpp.
#include "input/read_jobs.h"

#include <memory>

#include "input/line_reader.h"
#include "input/record_parser.h"
#include "util/text.h"

namespace sluice {
namespace {

using Format = InputOptions::Format;

// From the first non-blank line; cut: it was longer than the bound, so only its start is
// known (never taken for a CSV header).
Format detect(std::string_view first_line, bool cut, const InputOptions& options) {
  std::string_view t = trim(first_line);
  if (!t.empty() && t.front() == '{') return Format::jsonl;
  if (!cut && looks_like_csv_header(first_line, options.url_field)) return Format::csv;
  return Format::lines;
}

}  // namespace

const char* format_name(Format format) {
  switch (format) {
    case Format::auto_detect:
      return "auto";
    case Format::jsonl:
      return "jsonl";
    case Format::csv:
      return "csv";
    case Format::lines:
      return "lines";
  }
  return "auto";
}

bool parse_format(std::string_view name, Format* out) {
  for (Format f : {Format::auto_detect, Format::jsonl, Format::csv, Format::lines}) {
    if (name == format_name(f)) {
      *out = f;
      return true;
    }
  }
  return false;
}

std::string InputProblem::message() const {
  return printable(source) + ":" + std::to_string(line) + ": " + std::string(reason_name(code)) +
         ": " + reason;
}

Status read_jobs(std::istream& in, const std::string& source_name, const InputOptions& options,
                 const std::function<void(JobInput&&)>& on_job,
                 const std::function<void(const InputProblem&)>& on_problem) {
  LineReader reader(in, options.max_line_bytes);
  const std::string source = printable(source_name);
  auto read_error = [&]() {
    std::string where = reader.line_number() == 0
                            ? std::string()
                            : " after line " + std::to_string(reader.line_number());
    return make_error(Reason::io, source + ": read error" + where);
  };
  RecordSink sink{on_job, [&](size_t line, const Error& e) {
                    on_problem(InputProblem{source_name, line, e.reason, e.detail});
                  }};
  std::string line;
  bool have_line = false;
  while ((have_line = reader.next(&line)) && !reader.too_long() && is_blank(line)) {
  }
  if (!have_line) {
    if (reader.failed()) return read_error();
    return Status();  // empty input
  }

  Format format = options.format;
  if (format == Format::auto_detect) format = detect(line, reader.too_long(), options);
  std::unique_ptr<RecordParser> parser;
  switch (format) {
    case Format::csv:
      parser = make_csv_parser(options, sink);
      break;
    case Format::jsonl:
      parser = make_jsonl_parser(options, sink);
      break;
    case Format::auto_detect:
    case Format::lines:
      parser = make_lines_parser(sink);
      break;
  }
  // A parser's error names its line first ("3: ..."): the source goes in front.
  auto stop = [&](const Status& s) {
    return make_error(s.error().reason, source + ":" + s.error().detail);
  };
  do {
    size_t n = reader.line_number();
    if (reader.too_long()) {
      if (Status s = parser->skipped(n); !s.ok()) return stop(s);
      sink.problem(n, make_error(Reason::bad_input,
                                 "line longer than " + std::to_string(reader.max_bytes()) +
                                     " bytes (the rest of it was skipped; see --max-line-bytes)"));
    } else if (Status s = parser->line(line, n); !s.ok()) {
      return stop(s);
    }
  } while (reader.next(&line));
  if (reader.failed()) return read_error();
  if (Status s = parser->finish(); !s.ok()) return stop(s);
  return Status();
}

}  // namespace sluice
