// make_job, shared by every format, and the one-URL-per-line format.
#include "input/record_parser.h"

#include "input/line_reader.h"
#include "util/url.h"

namespace sluice {
namespace {

class LinesParser final : public RecordParser {
 public:
  Result<std::optional<JobInput>> parse(const std::string& line) override {
    std::string_view url = trim(line);
    if (url.empty() || url.front() == '#') return std::optional<JobInput>();
    auto job = make_job(std::string(url), std::nullopt);
    if (!job.ok()) return job.error();
    return std::optional<JobInput>(std::move(*job));
  }
};

}  // namespace

std::unique_ptr<RecordParser> make_lines_parser() { return std::make_unique<LinesParser>(); }

Result<JobInput> make_job(std::string url, std::optional<std::string> id) {
  auto parts = parse_url(url);
  if (!parts.ok()) return make_error(Reason::bad_input, "bad URL: " + parts.error().detail);
  JobInput job;
  job.host_key = std::move(parts->host_key);
  job.id = id ? std::move(*id) : url;
  job.url = std::move(url);
  return job;
}

}  // namespace sluice
