// RedisQueue::lease and renew. lease works host by host so that its writes are single-slot:
// one pipeline peeks at the first ready jobs of every host not skipped (ZRANGEBYSCORE, at
// most req.max each), the client picks the req.max oldest over all hosts, and one pipeline
// of lease_host scripts takes that many from each host. A host at its cap (skip_hosts) is
// never read, so it cannot block the others however long its line is.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "queue/redis_queue_impl.h"

namespace sluice {
namespace {

struct Ready {
  int64_t not_before_ms;
  int64_t seq;
  size_t host;  // index into the hosts read
  bool operator<(const Ready& o) const {
    return not_before_ms != o.not_before_ms ? not_before_ms < o.not_before_ms : seq < o.seq;
  }
};

}  // namespace

Result<std::vector<Job>> RedisQueue::lease(const LeaseRequest& req) {
  std::vector<Job> jobs;
  if (req.max == 0) return jobs;
  std::lock_guard lock(impl_->mu);
  RedisConnection& conn = *impl_->conn;
  auto all_hosts = impl_->hosts();
  if (!all_hosts.ok()) return all_hosts.error();
  std::unordered_set<std::string> skip(req.skip_hosts.begin(), req.skip_hosts.end());
  std::vector<std::string> hosts;
  for (std::string& h : *all_hosts) {
    if (!skip.count(h)) hosts.push_back(std::move(h));
  }
  const std::string now = std::to_string(req.now_ms);
  const std::string max = std::to_string(req.max);

  std::vector<RedisArgs> peeks;
  for (const std::string& h : hosts) {
    peeks.push_back({"ZRANGEBYSCORE", impl_->host_prefix(h) + ":ready", "-inf", now, "WITHSCORES",
                     "LIMIT", "0", max});
  }
  auto peeked = conn.pipeline(peeks);
  if (!peeked.ok()) return peeked.error();
  std::vector<Ready> ready;
  for (size_t h = 0; h < hosts.size(); ++h) {
    const redisReply* r = (*peeked)[h].get();
    if (Status s = reply_error(r, "ZRANGEBYSCORE", conn.address()); !s.ok()) return s.error();
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
      ready.push_back(
          {reply_score_ms(r->element[i + 1]), redis_member_seq(reply_text(r->element[i])), h});
    }
  }
  if (ready.empty()) return jobs;
  size_t take = std::min(ready.size(), req.max);
  std::partial_sort(ready.begin(), ready.begin() + static_cast<std::ptrdiff_t>(take), ready.end());
  std::vector<size_t> per_host(hosts.size(), 0);
  for (size_t i = 0; i < take; ++i) ++per_host[ready[i].host];

  std::vector<RedisScriptCall> calls;
  const std::string expires = std::to_string(req.now_ms + req.lease_ms);
  for (size_t h = 0; h < hosts.size(); ++h) {
    if (per_host[h] == 0) continue;
    calls.push_back({RedisScriptId::lease_host,
                     {impl_->host_prefix(hosts[h])},
                     {now, std::to_string(per_host[h]), impl_->owner, expires}});
  }
  auto taken = run_scripts(conn, calls);
  if (!taken.ok()) return taken.error();
  std::vector<std::pair<Ready, Job>> got;
  for (const RedisReply& r : *taken) {
    for (size_t i = 0; i < r->elements; ++i) {
      const redisReply* j = r->element[i];
      Job job{reply_int(reply_at(j, 0)), reply_text(reply_at(j, 2)), reply_text(reply_at(j, 3)),
              reply_text(reply_at(j, 4)), static_cast<int>(reply_int(reply_at(j, 5)))};
      got.push_back({Ready{reply_int(reply_at(j, 1)), job.seq, 0}, std::move(job)});
    }
  }
  // The Queue order: by ready time, then seq, over all hosts.
  std::sort(got.begin(), got.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  jobs.reserve(got.size());
  for (auto& [key, job] : got) jobs.push_back(std::move(job));
  return jobs;
}

Result<std::vector<int64_t>> RedisQueue::renew(const std::vector<Job>& jobs, int64_t now_ms,
                                               int64_t lease_ms) {
  std::vector<int64_t> lost;
  if (jobs.empty()) return lost;
  std::lock_guard lock(impl_->mu);
  std::unordered_map<std::string, size_t> call_of;  // host -> its call, one per host
  std::vector<RedisScriptCall> calls;
  const std::string expires = std::to_string(now_ms + lease_ms);
  for (const Job& job : jobs) {
    auto [it, added] = call_of.emplace(job.host_key, calls.size());
    if (added) {
      calls.push_back(
          {RedisScriptId::renew_host, {impl_->host_prefix(job.host_key)}, {impl_->owner, expires}});
    }
    calls[it->second].args.push_back(std::to_string(job.seq));
  }
  auto replies = run_scripts(*impl_->conn, calls);
  if (!replies.ok()) return replies.error();
  for (const RedisReply& r : *replies) {
    for (size_t i = 0; i < r->elements; ++i) lost.push_back(reply_int(r->element[i]));
  }
  std::sort(lost.begin(), lost.end());
  return lost;
}

}  // namespace sluice
