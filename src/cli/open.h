// Turns --queue and --store arguments into backends.
#pragma once

#include <memory>
#include <string>

#include "queue/queue.h"
#include "store/store.h"
#include "util/logger.h"

namespace sluice {

// "sluice.db", "sqlite:PATH" or "sqlite://PATH". redis:// is not implemented yet and says so.
Result<std::unique_ptr<Queue>> open_queue(const std::string& spec);

// The SQLite file behind a queue spec ("" for non-file queues); the run lock sits beside it.
std::string queue_file(const std::string& spec);

// "DIR" or "file://DIR". s3:// is not implemented yet and says so. threads: workers that
// finish puts (fsync + rename) off the event loop.
Result<std::unique_ptr<Store>> open_store(const std::string& spec, Logger* log, int threads);

}  // namespace sluice
