#include "queue/redis_connection.h"

#include <sys/time.h>

#include <algorithm>
#include <cstdlib>

namespace sluice {
namespace {

timeval to_timeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

// hiredis's argv form of a command: pointers into args, valid while args lives.
struct Argv {
  explicit Argv(const RedisArgs& args) {
    for (const auto& a : args) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
  }
  int count() const { return static_cast<int>(ptrs.size()); }
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
};

// One command, sent and answered; null when the connection failed (ctx->errstr says why).
RedisReply send_command(redisContext* ctx, const RedisArgs& args) {
  Argv v(args);
  return RedisReply(
      static_cast<redisReply*>(redisCommandArgv(ctx, v.count(), v.ptrs.data(), v.lens.data())));
}

}  // namespace

Status reply_error(const redisReply* r, const std::string& what, const RedisAddress& address) {
  if (!r)
    return make_error(Reason::queue_unavailable, what + " on " + address.describe() + ": no reply");
  if (r->type != REDIS_REPLY_ERROR) return Status();
  const std::string text = reply_text(r);
  // A server that is starting (loading its AOF), busy with a long script, or without its
  // primary answers, but cannot serve yet: as good as unreachable, and worth a retry.
  for (const char* transient : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN"}) {
    if (text.rfind(transient, 0) == 0) {
      return make_error(Reason::queue_unavailable,
                        what + " on " + address.describe() + ": " + text);
    }
  }
  return make_error(Reason::redis, what + " on " + address.describe() + ": " + text);
}

std::string reply_text(const redisReply* r) {
  if (!r) return "";
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    default:
      return "";
  }
}

int64_t reply_int(const redisReply* r, int64_t fallback) {
  if (!r) return fallback;
  if (r->type == REDIS_REPLY_INTEGER) return r->integer;
  if (r->type != REDIS_REPLY_STRING || r->len == 0) return fallback;
  try {
    size_t used = 0;
    std::string s(r->str, r->len);
    int64_t v = std::stoll(s, &used);
    return used == s.size() ? v : fallback;
  } catch (...) {
    return fallback;
  }
}

int64_t reply_score_ms(const redisReply* r, int64_t fallback) {
  std::string s = reply_text(r);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return fallback;
  return static_cast<int64_t>(v);
}

const redisReply* reply_at(const redisReply* r, size_t i) {
  if (!r || r->type != REDIS_REPLY_ARRAY || i >= r->elements) return nullptr;
  return r->element[i];
}

RedisConnection::RedisConnection(RedisAddress address, RedisOptions options, const Clock& clock,
                                 Logger* log)
    : address_(std::move(address)), options_(options), clock_(clock), log_(log) {}

Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisAddress& address,
                                                               const RedisOptions& options,
                                                               const Clock& clock, Logger* log) {
  std::unique_ptr<RedisConnection> c(new RedisConnection(address, options, clock, log));
  if (Status s = c->connect(); !s.ok()) return s.error();
  return c;
}

Status RedisConnection::connect() {
  ctx_.reset();
  const std::string where = address_.describe();
  RedisContextPtr c(redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                            to_timeval(options_.connect_timeout_ms)));
  if (!c) return make_error(Reason::queue_unavailable, where + ": cannot allocate a connection");
  if (c->err) {
    return make_error(Reason::queue_unavailable,
                      "cannot connect to " + where + ": " + std::string(c->errstr));
  }
  if (redisSetTimeout(c.get(), to_timeval(options_.command_timeout_ms)) != REDIS_OK) {
    return make_error(Reason::queue_unavailable, where + ": cannot set the command timeout");
  }
  redisEnableKeepAlive(c.get());
  ctx_ = std::move(c);

  // The handshake. AUTH's arguments hold the password: nothing here logs or echoes them.
  std::vector<std::pair<std::string, RedisArgs>> steps;
  if (!address_.password.empty()) {
    steps.push_back({"AUTH", address_.user.empty()
                                 ? RedisArgs{"AUTH", address_.password}
                                 : RedisArgs{"AUTH", address_.user, address_.password}});
  }
  if (address_.db != 0) steps.push_back({"SELECT", {"SELECT", std::to_string(address_.db)}});
  steps.push_back({"INFO cluster", {"INFO", "cluster"}});
  for (const auto& [what, args] : steps) {
    RedisReply r = send_command(ctx_.get(), args);
    if (!r) {
      std::string why = ctx_->errstr;
      ctx_.reset();
      return make_error(Reason::queue_unavailable,
                        where + ": connection lost during " + what + ": " + why);
    }
    // An ACL user may not be allowed INFO: then the Cluster check is skipped.
    if (r->type == REDIS_REPLY_ERROR && what == "INFO cluster") continue;
    if (Status s = reply_error(r.get(), what, address_); !s.ok()) {
      ctx_.reset();
      return s;
    }
    if (what == "INFO cluster" &&
        reply_text(r.get()).find("cluster_enabled:1") != std::string::npos) {
      ctx_.reset();
      return make_error(Reason::bad_input,
                        where +
                            " is a Redis Cluster node: not implemented yet. sluice's queue "
                            "keys are laid out for Cluster (hash tags per host), but "
                            "enqueue, replay and the reads still use several slots in one "
                            "script; use a single Redis server (or a replicated primary)");
    }
  }
  return Status();
}

Status RedisConnection::ensure_connected() {
  if (ctx_) return Status();
  int64_t now = clock_.steady_ms();
  if (now < next_attempt_ms_) {
    return make_error(Reason::queue_unavailable,
                      address_.describe() + ": not connected (" + last_failure_ +
                          "); next reconnect attempt in " + std::to_string(next_attempt_ms_ - now) +
                          " ms");
  }
  Status s = connect();
  if (s.ok()) {
    if (backoff_ms_ > 0 && log_) log_->info("redis: reconnected to " + address_.describe());
    backoff_ms_ = 0;
    next_attempt_ms_ = 0;
    return s;
  }
  backoff_ms_ = backoff_ms_ == 0 ? options_.backoff_initial_ms
                                 : std::min(2 * backoff_ms_, options_.backoff_max_ms);
  next_attempt_ms_ = now + backoff_ms_;
  last_failure_ = s.error().detail;
  if (log_) {
    log_->warn("redis: reconnect failed: " + last_failure_ + "; next attempt in " +
               std::to_string(backoff_ms_) + " ms");
  }
  return s;
}

Error RedisConnection::lost(const std::string& during) {
  std::string why = ctx_ && ctx_->err ? std::string(ctx_->errstr) : "no reply";
  if (why.find("temporarily unavailable") != std::string::npos) {
    why = "no answer within the command timeout (" + std::to_string(options_.command_timeout_ms) +
          " ms)";
  }
  ctx_.reset();
  last_failure_ = why;
  std::string msg = address_.describe() + ": connection lost during " + during + ": " + why;
  if (log_) log_->warn("redis: " + msg + "; reconnecting on the next call");
  return make_error(Reason::queue_unavailable, msg + " (the command may or may not have run)");
}

Result<RedisReply> RedisConnection::command(const RedisArgs& args) {
  if (Status s = ensure_connected(); !s.ok()) return s.error();
  RedisReply r = send_command(ctx_.get(), args);
  if (!r) return lost(args.empty() ? "a command" : args[0]);
  return r;
}

Result<std::vector<RedisReply>> RedisConnection::pipeline(const std::vector<RedisArgs>& commands) {
  std::vector<RedisReply> replies;
  if (commands.empty()) return replies;
  if (Status s = ensure_connected(); !s.ok()) return s.error();
  for (const RedisArgs& args : commands) {
    Argv v(args);
    if (redisAppendCommandArgv(ctx_.get(), v.count(), v.ptrs.data(), v.lens.data()) != REDIS_OK) {
      return lost("a pipeline of " + std::to_string(commands.size()) + " commands");
    }
  }
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || !raw) {
      return lost("a pipeline of " + std::to_string(commands.size()) + " commands");
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

}  // namespace sluice
