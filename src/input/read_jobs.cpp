// read_jobs: format detection and the line loop; the formats are in *_parser.cpp.
#include "input/read_jobs.h"

#include <memory>

#include "input/line_reader.h"
#include "input/record_parser.h"

namespace sluice {
namespace {

using Format = InputOptions::Format;

Format detect(std::string_view first_line, const InputOptions& options) {
  std::string_view t = trim(first_line);
  if (!t.empty() && t.front() == '{') return Format::jsonl;
  if (looks_like_csv_header(first_line, options.url_field)) return Format::csv;
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
  return source + ":" + std::to_string(line) + ": " + reason;
}

Status read_jobs(std::istream& in, const std::string& source_name, const InputOptions& options,
                 const std::function<void(JobInput&&)>& on_job,
                 const std::function<void(const InputProblem&)>& on_problem) {
  LineReader reader(in);
  std::string line;
  bool have_line = false;
  while ((have_line = reader.next(&line)) && is_blank(line)) {
  }
  if (!have_line) {
    if (reader.failed()) return make_error(Reason::io, source_name + ": read error");
    return Status();  // empty input
  }

  Format format = options.format;
  if (format == Format::auto_detect) format = detect(line, options);
  std::unique_ptr<RecordParser> parser;
  bool line_is_data = true;
  switch (format) {
    case Format::csv: {
      auto csv = make_csv_parser(options, line);
      if (!csv.ok()) {
        return make_error(
            Reason::bad_input,
            source_name + ":" + std::to_string(reader.line_number()) + ": " + csv.error().detail);
      }
      parser = std::move(*csv);
      line_is_data = false;  // the header
      break;
    }
    case Format::jsonl:
      parser = make_jsonl_parser(options);
      break;
    case Format::auto_detect:
    case Format::lines:
      parser = make_lines_parser();
      break;
  }

  for (;;) {
    if (line_is_data) {
      auto job = parser->parse(line);
      if (!job.ok()) {
        on_problem(InputProblem{source_name, reader.line_number(), job.error().detail});
      } else if (job->has_value()) {
        on_job(std::move(**job));
      }
    }
    line_is_data = true;
    if (!reader.next(&line)) break;
  }
  if (reader.failed()) {
    return make_error(Reason::io, source_name + ": read error after line " +
                                      std::to_string(reader.line_number()));
  }
  return Status();
}

}  // namespace sluice
