// The Lua scripts of the Redis queue (redis_scripts/*.lua, embedded at build time with
// common.lua in front of each) and how they are called: EVALSHA with the script's SHA-1,
// and EVAL when the server answers NOSCRIPT (a restarted or flushed script cache), which
// also caches it again. A NOSCRIPT answer means the script did not run, so the fallback
// never runs a script twice.
#pragma once

#include <string>
#include <vector>

#include "queue/redis_connection.h"

namespace sluice {

enum class RedisScriptId {
  enqueue,
  lease_host,
  apply,
  reclaim_host,
  renew_host,
  replay,
  stats,
  scan_page,
};

struct RedisScript {
  const char* name;  // the file name, for messages
  std::string text;  // common.lua + the script
  std::string sha1;  // lowercase hex, as SCRIPT LOAD answers
};

const RedisScript& redis_script(RedisScriptId id);

// A script of another component (the gate's slot leases, gate/redis_gate.h): its name for
// messages and its whole text (no common.lua in front).
RedisScript make_redis_script(const char* name, std::string text);

// One call: KEYS and ARGV.
struct RedisScriptCall {
  RedisScriptId id;
  RedisArgs keys;
  RedisArgs args;
};

// Runs one script and returns its reply; an error reply becomes a `redis` error naming the
// script and the server.
Result<RedisReply> run_script(RedisConnection& conn, const RedisScriptCall& call);

// Runs one such script the same way: EVALSHA, and EVAL on NOSCRIPT.
Result<RedisReply> run_script(RedisConnection& conn, const RedisScript& script,
                              const RedisArgs& keys, const RedisArgs& args);

// Runs several scripts in one round trip (plus one per NOSCRIPT fallback); the replies are
// in call order. The first error reply becomes the error: the calls before and after it
// have run.
Result<std::vector<RedisReply>> run_scripts(RedisConnection& conn,
                                            const std::vector<RedisScriptCall>& calls);

}  // namespace sluice
