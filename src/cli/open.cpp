#include "cli/open.h"

#include <filesystem>
#include <system_error>

#include "queue/redis_queue.h"
#include "queue/sqlite_queue.h"
#include "store/folder_store.h"
#include "store/s3_store.h"
#include "util/text.h"

namespace sluice {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

std::string queue_file(const std::string& spec) {
  if (starts_with(spec, "sqlite://")) return spec.substr(9);
  if (starts_with(spec, "sqlite:")) return spec.substr(7);
  if (spec.find("://") != std::string::npos) return "";
  return spec;
}

Result<std::unique_ptr<Queue>> open_queue(const std::string& spec, QueueAccess access, Logger* log,
                                          Durability durability, int cache_mib) {
  if (is_redis_url(spec)) {
    auto address = parse_redis_url(spec);
    if (!address.ok()) return address.error();
    RedisQueueOptions options;
    options.log = log;
    options.create = access == QueueAccess::create;
    auto q = RedisQueue::open(*address, options);
    if (!q.ok()) return q.error();
    return std::unique_ptr<Queue>(std::move(*q));
  }
  std::string path = queue_file(spec);
  if (path.empty()) {
    return make_error(Reason::bad_input, "--queue " + printable(redact_queue_spec(spec)) +
                                             ": unknown queue scheme (expected a SQLite file, "
                                             "sqlite://PATH or redis://HOST:PORT/DB)");
  }
  std::error_code ec;
  if (access == QueueAccess::existing && !std::filesystem::exists(path, ec)) {
    return make_error(Reason::bad_input,
                      "no queue file '" + printable(path) + "'" +
                          (ec ? " (" + ec.message() + ")" : std::string()) +
                          ": check --queue or SLUICE_QUEUE (sluice enqueue creates a queue)");
  }
  SqliteOptions options;
  if (durability == Durability::power) options.durability = SqliteOptions::Durability::full;
  if (cache_mib > 0) options.cache_mib = cache_mib;
  auto q = SqliteQueue::open(path, options);
  if (!q.ok()) return q.error();
  return std::unique_ptr<Queue>(std::move(*q));
}

Status check_runnable_queue(const std::string& spec) {
  if (!is_redis_url(spec)) return Status();
  auto address = parse_redis_url(spec);  // refuses rediss://
  return address.ok() ? Status() : Status(address.error());
}

Result<std::unique_ptr<Store>> open_store(const std::string& spec, Logger* log, int threads,
                                          const S3Options& s3, Durability durability) {
  if (starts_with(spec, "s3://")) {
    auto s = S3Store::open(spec, s3, process_env(), log);
    if (!s.ok()) return s.error();
    return std::unique_ptr<Store>(std::move(*s));
  }
  std::string dir = starts_with(spec, "file://") ? spec.substr(7) : spec;
  if (dir.empty() || dir.find("://") != std::string::npos) {
    return make_error(Reason::bad_input,
                      "--store " + printable(spec) + ": expected DIR or file://DIR");
  }
  FolderSync sync;
  sync.level = durability;
  auto s = FolderStore::open(dir, log, threads, std::move(sync));
  if (!s.ok()) return s.error();
  return std::unique_ptr<Store>(std::move(*s));
}

}  // namespace sluice
