// The private state of RedisQueue, shared by its redis_*.cpp files.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "queue/redis_connection.h"
#include "queue/redis_keys.h"
#include "queue/redis_queue.h"
#include "queue/redis_scripts.h"

namespace sluice {

struct RedisQueue::Impl {
  std::mutex mu;                           // serialises every use of conn
  std::unique_ptr<SystemClock> own_clock;  // when the options gave none
  std::unique_ptr<RedisConnection> conn;
  std::string base;    // the key prefix
  std::string global;  // BASE:{queue}
  std::string owner;

  std::string host_prefix(const std::string& host) const { return redis_host_prefix(base, host); }
  // Every host that has held a job (SMEMBERS). Holds mu.
  Result<std::vector<std::string>> hosts();
};

// A JobRecord from HGETALL's flat array of a job hash.
JobRecord redis_record(const redisReply* flat);
// A state by its stored name ("queued", "leased", "done", "dead").
JobState state_of(std::string_view name);

}  // namespace sluice
