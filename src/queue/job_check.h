// The checks every Queue backend makes on a job before it enqueues it.
#pragma once

#include <string>

#include "queue/queue.h"

namespace sluice {

// bad_input when the id or URL is empty. Sets *host_key to job.host_key, or derives it
// from the URL when the caller left it empty (bad_url if the URL does not parse).
Status check_job(const JobInput& job, std::string* host_key);

}  // namespace sluice
