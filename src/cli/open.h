// Turns --queue and --store arguments into backends.
#pragma once

#include <memory>
#include <string>

#include "queue/queue.h"
#include "queue/redis_address.h"
#include "store/durability.h"
#include "store/s3_options.h"
#include "store/store.h"
#include "util/logger.h"

namespace sluice {

// Whether a command may create the queue it names: enqueue and run may; the commands that
// only read or tend an existing queue (status, export, dlq) must not, so that a mistyped
// --queue is an error instead of a new, empty queue.
enum class QueueAccess { create, existing };

// "sluice.db", "sqlite:PATH" or "sqlite://PATH": a SQLite file;
// "redis://[[user]:pass@]host[:port][/db]": a Redis queue (queue/redis_queue.h), which
// reports lost connections and reconnects to log (may be null). rediss:// is refused with
// a way around it (a TLS tunnel). With QueueAccess::existing, a queue that does not exist
// (no file; no sluice queue in that Redis database) is a bad_input error naming it, and
// nothing is created.
// durability: a SQLite queue commits with synchronous=NORMAL (process) or FULL (power).
// cache_mib: a SQLite queue's page cache (0: SqliteOptions' default, sized for enqueue's
// lookups by id; `run` walks the file in seq order and needs little).
Result<std::unique_ptr<Queue>> open_queue(const std::string& spec,
                                          QueueAccess access = QueueAccess::create,
                                          Logger* log = nullptr,
                                          Durability durability = Durability::process,
                                          int cache_mib = 0);

// Whether `run` and `serve` can work on this queue: a SQLite file, or Redis (redis:// only:
// rediss:// is refused with the way around it, before anything is opened or created).
Status check_runnable_queue(const std::string& spec);

// The SQLite file behind a queue spec ("" for non-file queues); the run lock sits beside it.
std::string queue_file(const std::string& spec);

// "DIR" or "file://DIR": a folder; threads: workers that finish puts (rename) off the
// event loop; durability: the folder store's level (store/durability.h). "s3://BUCKET/PREFIX": an
// S3 bucket, addressed and tuned by s3 (with the AWS_* environment variables as fallbacks); it
// checks the bucket before it returns.
Result<std::unique_ptr<Store>> open_store(const std::string& spec, Logger* log, int threads,
                                          const S3Options& s3 = {},
                                          Durability durability = Durability::process);

}  // namespace sluice
