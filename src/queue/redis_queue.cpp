// RedisQueue: opening, enqueue, apply and reclaim. Leasing and renewal are in
// redis_lease.cpp, the read side in redis_read.cpp, the dead-letter queue in redis_dead.cpp.
#include "queue/redis_queue.h"

#include "queue/job_check.h"
#include "queue/owner_id.h"
#include "queue/redis_queue_impl.h"

namespace sluice {
namespace {

const char* kind_name(Transition::Kind kind) {
  switch (kind) {
    case Transition::Kind::complete:
      return "complete";
    case Transition::Kind::retry:
      return "retry";
    case Transition::Kind::bury:
      return "bury";
    case Transition::Kind::release:
      return "release";
    case Transition::Kind::defer:
      return "defer";
  }
  return "release";
}

// Creates the schema version key of a new queue and refuses a newer one.
Status check_version(RedisConnection& conn, const std::string& global) {
  const std::string key = global + ":version";
  auto replies =
      conn.pipeline({{"SET", key, std::to_string(RedisQueue::kSchemaVersion), "NX"}, {"GET", key}});
  if (!replies.ok()) return replies.error();
  for (const RedisReply& r : *replies) {
    if (Status s = reply_error(r.get(), "the schema version check", conn.address()); !s.ok()) {
      return s;
    }
  }
  int64_t version = reply_int((*replies)[1].get(), -1);
  if (version < 1 || version > RedisQueue::kSchemaVersion) {
    return make_error(Reason::bad_input, conn.address().describe() + ": the queue " + global +
                                             " was written by a newer sluice (schema version " +
                                             reply_text((*replies)[1].get()).substr(0, 20) +
                                             "; this one knows up to " +
                                             std::to_string(RedisQueue::kSchemaVersion) + ")");
  }
  return Status();
}

}  // namespace

Result<std::vector<std::string>> RedisQueue::Impl::hosts() {
  auto r = conn->command({"SMEMBERS", global + ":hosts"});
  if (!r.ok()) return r.error();
  if (Status s = reply_error(r->get(), "SMEMBERS", conn->address()); !s.ok()) return s.error();
  std::vector<std::string> out;
  for (size_t i = 0; i < (*r)->elements; ++i) out.push_back(reply_text((*r)->element[i]));
  return out;
}

RedisQueue::RedisQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisQueue::~RedisQueue() = default;

Result<std::unique_ptr<RedisQueue>> RedisQueue::open(const RedisAddress& address,
                                                     const RedisQueueOptions& options) {
  auto impl = std::make_unique<Impl>();
  const Clock* clock = options.clock;
  if (!clock) {
    impl->own_clock = std::make_unique<SystemClock>();
    clock = impl->own_clock.get();
  }
  auto conn = RedisConnection::open(address, options.connection, *clock, options.log);
  if (!conn.ok()) return conn.error();
  impl->conn = std::move(*conn);
  impl->base = options.prefix;
  impl->global = redis_global_prefix(options.prefix);
  impl->owner = options.owner.empty() ? make_owner_id() : options.owner;
  if (Status s = check_version(*impl->conn, impl->global); !s.ok()) return s.error();
  return std::unique_ptr<RedisQueue>(new RedisQueue(std::move(impl)));
}

std::string RedisQueue::owner() const {
  std::lock_guard lock(impl_->mu);
  return impl_->owner;
}

void RedisQueue::set_owner(std::string owner) {
  std::lock_guard lock(impl_->mu);
  impl_->owner = std::move(owner);
}

void RedisQueue::drop_connection_for_test() {
  std::lock_guard lock(impl_->mu);
  impl_->conn->drop_for_test();
}

Result<EnqueueStats> RedisQueue::enqueue(const std::vector<JobInput>& jobs, int64_t now_ms) {
  EnqueueStats stats;
  if (jobs.empty()) return stats;
  RedisScriptCall call{
      RedisScriptId::enqueue, {impl_->global}, {impl_->base, std::to_string(now_ms)}};
  call.args.reserve(2 + 3 * jobs.size());
  std::string host;
  for (const JobInput& job : jobs) {  // every job is checked before any is sent: all or nothing
    if (Status s = check_job(job, &host); !s.ok()) return s.error();
    call.args.push_back(job.id);
    call.args.push_back(job.url);
    call.args.push_back(host);
  }
  std::lock_guard lock(impl_->mu);
  auto r = run_script(*impl_->conn, call);
  if (!r.ok()) return r.error();
  stats.inserted = static_cast<uint64_t>(reply_int(reply_at(r->get(), 0)));
  stats.unchanged = static_cast<uint64_t>(reply_int(reply_at(r->get(), 1)));
  stats.requeued = static_cast<uint64_t>(reply_int(reply_at(r->get(), 2)));
  return stats;
}

Status RedisQueue::apply(const std::vector<Transition>& batch, int64_t now_ms) {
  if (batch.empty()) return Status();
  std::lock_guard lock(impl_->mu);
  RedisConnection& conn = *impl_->conn;
  // Where each job lives; a seq the queue never gave out has no host.
  RedisArgs where{"HMGET", impl_->global + ":where"};
  for (const Transition& t : batch) where.push_back(std::to_string(t.seq));
  auto hosts = conn.command(where);
  if (!hosts.ok()) return hosts.error();
  if (Status s = reply_error(hosts->get(), "HMGET", conn.address()); !s.ok()) return s;

  RedisScriptCall call{
      RedisScriptId::apply, {}, {impl_->base, impl_->owner, std::to_string(now_ms), "all"}};
  call.args.reserve(4 + 12 * batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const Transition& t = batch[i];
    std::string host = reply_text(reply_at(hosts->get(), i));
    if (call.keys.empty() && !host.empty()) call.keys.push_back(impl_->host_prefix(host));
    const ManifestEntry& m = t.manifest;
    call.args.insert(call.args.end(),
                     {std::to_string(t.seq), host, kind_name(t.kind),
                      std::to_string(t.not_before_ms), t.error_code, t.error_detail, m.key,
                      m.sha256, std::to_string(m.bytes), m.content_type, m.etag, m.last_modified});
  }
  if (call.keys.empty()) call.keys.push_back(impl_->global);
  auto r = run_script(conn, call);
  if (!r.ok()) return r.error();
  const redisReply* first = reply_at(r->get(), 0);
  if (!first) return Status();
  return make_error(Reason::internal,
                    "seq " + reply_text(reply_at(first, 1)) + " is not leased by " + impl_->owner +
                        " (" + reply_text(reply_at(first, 2)) + "); nothing in the batch applied");
}

Result<uint64_t> RedisQueue::reclaim(int64_t now_ms, bool all_leases) {
  std::lock_guard lock(impl_->mu);
  auto hosts = impl_->hosts();
  if (!hosts.ok()) return hosts.error();
  std::vector<RedisScriptCall> calls;
  for (const std::string& host : *hosts) {
    calls.push_back({RedisScriptId::reclaim_host,
                     {impl_->host_prefix(host)},
                     {std::to_string(now_ms), all_leases ? "1" : "0"}});
  }
  auto replies = run_scripts(*impl_->conn, calls);
  if (!replies.ok()) return replies.error();
  uint64_t n = 0;
  for (const RedisReply& r : *replies) n += static_cast<uint64_t>(reply_int(r.get()));
  return n;
}

}  // namespace sluice
