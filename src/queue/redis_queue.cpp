// RedisQueue: opening, enqueue, apply and reclaim. Leasing and renewal are in
// redis_lease.cpp, the read side in redis_read.cpp, the dead-letter queue in redis_dead.cpp.
#include "queue/redis_queue.h"

#include "queue/job_check.h"
#include "queue/owner_id.h"
#include "queue/redis_queue_impl.h"

namespace sluice {
namespace {

StaleReason stale_reason_of(const std::string& name) {
  if (name == "no_such_job") return StaleReason::no_such_job;
  if (name == "twice_in_batch") return StaleReason::twice_in_batch;
  if (name == "leased_by_other") return StaleReason::leased_by_other;
  return StaleReason::not_leased;
}

// Creates the schema version key of a new queue (with create) and refuses a newer one.
Status check_version(RedisConnection& conn, const std::string& global, bool create) {
  const std::string key = global + ":version";
  std::vector<RedisArgs> commands;
  if (create) commands.push_back({"SET", key, std::to_string(RedisQueue::kSchemaVersion), "NX"});
  commands.push_back({"GET", key});
  auto replies = conn.pipeline(commands);
  if (!replies.ok()) return replies.error();
  for (const RedisReply& r : *replies) {
    if (Status s = reply_error(r.get(), "the schema version check", conn.address()); !s.ok()) {
      return s;
    }
  }
  const redisReply* got = replies->back().get();
  if (!create && got->type == REDIS_REPLY_NIL) {
    return make_error(Reason::bad_input, "no sluice queue in " + conn.address().describe() +
                                             " (no key " + key +
                                             "): check --queue or SLUICE_QUEUE (sluice "
                                             "enqueue creates a queue)");
  }
  int64_t version = reply_int(got, -1);
  std::string shown = reply_text(got).substr(0, 20);
  if (version > RedisQueue::kSchemaVersion) {
    return make_error(Reason::bad_input, conn.address().describe() + ": the queue " + global +
                                             " was written by a newer sluice (schema version " +
                                             shown + "; this one knows up to " +
                                             std::to_string(RedisQueue::kSchemaVersion) + ")");
  }
  if (version < 1) {
    return make_error(Reason::bad_input, conn.address().describe() + ": " + key + " holds '" +
                                             shown +
                                             "', not a sluice schema version: is this "
                                             "key prefix used by something else?");
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
  if (Status s = check_version(*impl->conn, impl->global, options.create); !s.ok()) {
    return s.error();
  }
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

Result<ApplyResult> RedisQueue::apply(const std::vector<Transition>& batch, int64_t now_ms) {
  ApplyResult out;
  if (batch.empty()) return out;
  std::lock_guard lock(impl_->mu);
  RedisConnection& conn = *impl_->conn;
  // Where each job lives; a seq the queue never gave out has no host.
  RedisArgs where{"HMGET", impl_->global + ":where"};
  for (const Transition& t : batch) where.push_back(std::to_string(t.seq));
  auto hosts = conn.command(where);
  if (!hosts.ok()) return hosts.error();
  if (Status s = reply_error(hosts->get(), "HMGET", conn.address()); !s.ok()) return s.error();

  RedisScriptCall call{
      RedisScriptId::apply, {}, {impl_->base, impl_->owner, std::to_string(now_ms)}};
  call.args.reserve(3 + 12 * batch.size());
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
  for (size_t k = 0; k < (*r)->elements; ++k) {
    const redisReply* x = (*r)->element[k];
    auto index = static_cast<size_t>(reply_int(reply_at(x, 0)));
    if (index < 1 || index > batch.size()) {
      return make_error(Reason::internal, "script apply.lua on " + conn.address().describe() +
                                              ": a rejection for transition " +
                                              std::to_string(index) + " of " +
                                              std::to_string(batch.size()));
    }
    out.rejected.push_back(make_rejection(
        batch[index - 1], stale_reason_of(reply_text(reply_at(x, 2))),
        state_of(reply_text(reply_at(x, 3))), impl_->owner, reply_text(reply_at(x, 4))));
  }
  out.applied = batch.size() - out.rejected.size();
  return out;
}

Result<uint64_t> RedisQueue::reclaim(int64_t now_ms, bool all_leases) {
  std::lock_guard lock(impl_->mu);
  auto hosts = impl_->hosts();
  if (!hosts.ok()) return hosts.error();
  std::vector<RedisScriptCall> calls;
  for (const std::string& host : *hosts) {
    calls.push_back({RedisScriptId::reclaim_host,
                     {impl_->host_prefix(host)},
                     {std::to_string(now_ms), all_leases ? "1" : "0", impl_->base, host}});
  }
  auto replies = run_scripts(*impl_->conn, calls);
  if (!replies.ok()) return replies.error();
  uint64_t n = 0;
  for (const RedisReply& r : *replies) n += static_cast<uint64_t>(reply_int(r.get()));
  return n;
}

}  // namespace sluice
