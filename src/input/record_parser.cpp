// make_job, shared by every format, the line-per-record base, and the one-URL-per-line
// format.
#include "input/record_parser.h"

#include "input/line_reader.h"
#include "util/url.h"

namespace sluice {
namespace {

class LinesParser final : public LineRecordParser {
 public:
  using LineRecordParser::LineRecordParser;

 protected:
  Result<std::optional<JobInput>> parse(std::string_view line) override {
    std::string_view url = trim(line);
    if (url.empty() || url.front() == '#') return std::optional<JobInput>();
    auto job = make_job(std::string(url), std::nullopt);
    if (!job.ok()) return job.error();
    return std::optional<JobInput>(std::move(*job));
  }
};

}  // namespace

Status LineRecordParser::line(std::string_view text, size_t number) {
  auto job = parse(text);
  if (!job.ok()) {
    sink_.problem(number, job.error());
  } else if (job->has_value()) {
    sink_.job(std::move(**job));
  }
  return Status();
}

std::unique_ptr<RecordParser> make_lines_parser(const RecordSink& sink) {
  return std::make_unique<LinesParser>(sink);
}

Result<JobInput> make_job(std::string url, std::optional<std::string> id) {
  auto parts = parse_url(url);
  if (!parts.ok()) return make_error(Reason::bad_url, parts.error().detail);
  if (Status host = check_host_name(parts->host); !host.ok()) return host.error();
  JobInput job;
  job.host_key = std::move(parts->host_key);
  job.id = id ? std::move(*id) : url;
  job.url = std::move(url);
  return job;
}

}  // namespace sluice
