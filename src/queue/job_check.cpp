#include "queue/job_check.h"

#include "util/url.h"

namespace sluice {

Status check_job(const JobInput& job, std::string* host_key) {
  if (job.id.empty()) return make_error(Reason::bad_input, "job with an empty id: " + job.url);
  if (job.url.empty()) return make_error(Reason::bad_input, "job " + job.id + " has no URL");
  if (!job.host_key.empty()) {
    *host_key = job.host_key;
    return Status();
  }
  auto parts = parse_url(job.url);
  if (!parts.ok()) return parts.error();
  *host_key = parts->host_key;
  return Status();
}

}  // namespace sluice
