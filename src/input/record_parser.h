// The per-format half of read_jobs: one parser per format turns one line into a job.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "input/read_jobs.h"

namespace sluice {

class RecordParser {
 public:
  virtual ~RecordParser() = default;
  // A job; nullopt for a line to skip silently (blank, comment); or a bad_input error
  // whose detail is the reason reported for the line.
  virtual Result<std::optional<JobInput>> parse(const std::string& line) = 0;
};

std::unique_ptr<RecordParser> make_jsonl_parser(const InputOptions& options);
// header: the CSV header line. bad_input when it lacks the URL or id column.
Result<std::unique_ptr<RecordParser>> make_csv_parser(const InputOptions& options,
                                                      std::string_view header);
std::unique_ptr<RecordParser> make_lines_parser();

// True when the line, read as a CSV record, has a cell equal to url_field.
bool looks_like_csv_header(std::string_view line, const std::string& url_field);

// The job for a URL and its id (nullopt: the URL is the id). bad_input "bad URL: ..."
// when parse_url refuses the URL.
Result<JobInput> make_job(std::string url, std::optional<std::string> id);

}  // namespace sluice
