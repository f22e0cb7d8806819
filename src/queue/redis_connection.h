// One connection to a Redis server, through hiredis (0.14), with every C handle in RAII.
//
// Contract:
//  - open() connects at once (connect timeout, AUTH, SELECT, a check that the server is no
//    Redis Cluster), so a wrong address, password or database fails there, with the
//    address in the message (never the credentials).
//  - command() and pipeline() send and wait for the answers, each bounded by the command
//    timeout. Not thread-safe: one thread at a time (RedisQueue holds a mutex around it).
//  - A lost connection (I/O error, EOF, timeout) makes the call return queue_unavailable,
//    which a caller may retry: the command may or may not have run on the server. The next
//    call reconnects; a failed reconnect waits out a backoff (doubling from
//    backoff_initial_ms to backoff_max_ms, on the injected Clock's steady time) during
//    which calls fail at once with queue_unavailable, saying when the next attempt is.
//  - Error replies of the server are the caller's to read (reply_error() turns one into a
//    `redis` error), so a script runner can tell NOSCRIPT from the rest.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "queue/redis_address.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/logger.h"

namespace sluice {

struct RedisContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct RedisReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisContextPtr = std::unique_ptr<redisContext, RedisContextFree>;
using RedisReply = std::unique_ptr<redisReply, RedisReplyFree>;

struct RedisOptions {
  int connect_timeout_ms = 5'000;
  int command_timeout_ms = 30'000;  // a big enqueue batch is one script call
  int backoff_initial_ms = 100;
  int backoff_max_ms = 5'000;
};

// One command as its arguments (binary safe).
using RedisArgs = std::vector<std::string>;

class RedisConnection {
 public:
  // clock and log are borrowed and must outlive the connection; log may be null.
  static Result<std::unique_ptr<RedisConnection>> open(const RedisAddress& address,
                                                       const RedisOptions& options,
                                                       const Clock& clock, Logger* log);
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // One command and its reply (which may be an error reply).
  Result<RedisReply> command(const RedisArgs& args);
  // Several commands written at once, then their replies in order (one round trip).
  Result<std::vector<RedisReply>> pipeline(const std::vector<RedisArgs>& commands);

  const RedisAddress& address() const { return address_; }
  // Drops the connection as a lost one would be (for tests of the reconnect path).
  void drop_for_test() { ctx_.reset(); }

 private:
  RedisConnection(RedisAddress address, RedisOptions options, const Clock& clock, Logger* log);
  Status connect();                       // a new context, AUTH, SELECT
  Status ensure_connected();              // reconnects, or refuses during the backoff
  Error lost(const std::string& during);  // drops the context and says why

  RedisAddress address_;
  RedisOptions options_;
  const Clock& clock_;
  Logger* log_;
  RedisContextPtr ctx_;
  int64_t next_attempt_ms_ = 0;  // steady time before which no reconnect is tried
  int backoff_ms_ = 0;
  std::string last_failure_;
};

// A `redis` error for an error reply ("<what> on <address>: <server's message>"), a
// queue_unavailable one for a missing reply or a server not ready to serve (LOADING its
// data after a restart, BUSY, MASTERDOWN, TRYAGAIN), ok otherwise.
Status reply_error(const redisReply* r, const std::string& what, const RedisAddress& address);

// The text of a string, status or error reply; "" for nil and others.
std::string reply_text(const redisReply* r);
// The integer of an integer reply, or of a string reply holding one; fallback otherwise.
int64_t reply_int(const redisReply* r, int64_t fallback = 0);
// The score of a sorted-set reply (a decimal string) as whole milliseconds; fallback if
// it is not a number.
int64_t reply_score_ms(const redisReply* r, int64_t fallback = 0);
// An array reply's element i, or null.
const redisReply* reply_at(const redisReply* r, size_t i);

}  // namespace sluice
