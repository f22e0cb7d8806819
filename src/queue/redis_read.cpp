// RedisQueue's read side: stats, next_ready_ms and the streaming scan.
#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "queue/redis_queue_impl.h"

namespace sluice {
namespace {

constexpr int kScanPageRows = 512;

}  // namespace

JobState state_of(std::string_view name) {
  if (name == "leased") return JobState::leased;
  if (name == "done") return JobState::done;
  if (name == "dead") return JobState::dead;
  return JobState::queued;
}

JobRecord redis_record(const redisReply* flat) {
  using Setter = void (*)(JobRecord&, const redisReply*);
  // The fields of a job hash (redis_keys.h) and where each goes.
  static const std::unordered_map<std::string, Setter> kFields = {
      {"seq", [](JobRecord& r, const redisReply* v) { r.seq = reply_int(v); }},
      {"id", [](JobRecord& r, const redisReply* v) { r.id = reply_text(v); }},
      {"url", [](JobRecord& r, const redisReply* v) { r.url = reply_text(v); }},
      {"host", [](JobRecord& r, const redisReply* v) { r.host_key = reply_text(v); }},
      {"state", [](JobRecord& r, const redisReply* v) { r.state = state_of(reply_text(v)); }},
      {"attempts",
       [](JobRecord& r, const redisReply* v) { r.attempts = static_cast<int>(reply_int(v)); }},
      {"code", [](JobRecord& r, const redisReply* v) { r.error_code = reply_text(v); }},
      {"detail", [](JobRecord& r, const redisReply* v) { r.error_detail = reply_text(v); }},
      {"upd", [](JobRecord& r, const redisReply* v) { r.updated_at_ms = reply_int(v); }},
      {"key", [](JobRecord& r, const redisReply* v) { r.manifest.key = reply_text(v); }},
      {"sha256", [](JobRecord& r, const redisReply* v) { r.manifest.sha256 = reply_text(v); }},
      {"bytes",
       [](JobRecord& r, const redisReply* v) {
         r.manifest.bytes = static_cast<uint64_t>(reply_int(v));
       }},
      {"ctype", [](JobRecord& r, const redisReply* v) { r.manifest.content_type = reply_text(v); }},
      {"etag", [](JobRecord& r, const redisReply* v) { r.manifest.etag = reply_text(v); }},
      {"lm", [](JobRecord& r, const redisReply* v) { r.manifest.last_modified = reply_text(v); }},
      {"pending", [](JobRecord& r, const redisReply* v) { r.pending_url = reply_text(v); }},
  };
  JobRecord r;
  if (!flat || flat->type != REDIS_REPLY_ARRAY) return r;
  for (size_t i = 0; i + 1 < flat->elements; i += 2) {
    auto it = kFields.find(reply_text(flat->element[i]));
    if (it != kFields.end()) it->second(r, flat->element[i + 1]);
  }
  return r;
}

Result<QueueStats> RedisQueue::stats() {
  std::lock_guard lock(impl_->mu);
  auto r = run_script(*impl_->conn, {RedisScriptId::stats, {impl_->global}, {impl_->base}});
  if (!r.ok()) return r.error();
  QueueStats out;
  for (size_t h = 0; h < (*r)->elements; ++h) {
    const redisReply* host = (*r)->element[h];
    StateCounts counts;
    const redisReply* states = reply_at(host, 1);
    for (size_t i = 0; states && i + 1 < states->elements; i += 2) {
      int64_t n = reply_int(states->element[i + 1]);
      if (n > 0) counts.of(state_of(reply_text(states->element[i]))) += static_cast<uint64_t>(n);
    }
    if (counts.total() == 0) continue;  // a host whose jobs all moved to other hosts
    out.by_host[reply_text(reply_at(host, 0))] = counts;
    out.all.queued += counts.queued;
    out.all.leased += counts.leased;
    out.all.done += counts.done;
    out.all.dead += counts.dead;
    const redisReply* dead = reply_at(host, 2);
    for (size_t i = 0; dead && i + 1 < dead->elements; i += 2) {
      int64_t n = reply_int(dead->element[i + 1]);
      if (n > 0) out.dead_by_reason[reply_text(dead->element[i])] += static_cast<uint64_t>(n);
    }
  }
  return out;
}

Result<std::optional<int64_t>> RedisQueue::next_ready_ms() {
  std::lock_guard lock(impl_->mu);
  auto hosts = impl_->hosts();
  if (!hosts.ok()) return hosts.error();
  std::vector<RedisArgs> heads;
  for (const std::string& h : *hosts) {
    heads.push_back({"ZRANGE", impl_->host_prefix(h) + ":ready", "0", "0", "WITHSCORES"});
  }
  auto replies = impl_->conn->pipeline(heads);
  if (!replies.ok()) return replies.error();
  std::optional<int64_t> best;
  for (const RedisReply& r : *replies) {
    if (Status s = reply_error(r.get(), "ZRANGE", impl_->conn->address()); !s.ok()) {
      return s.error();
    }
    const redisReply* score = reply_at(r.get(), 1);
    if (!score) continue;
    int64_t ms = reply_score_ms(score);
    if (!best || ms < *best) best = ms;
  }
  return best;
}

Status RedisQueue::scan(const std::function<bool(const JobRecord&)>& fn) {
  int64_t after = 0;
  std::vector<JobRecord> page;
  for (;;) {
    page.clear();
    {
      std::lock_guard lock(impl_->mu);
      auto r = run_script(*impl_->conn,
                          {RedisScriptId::scan_page,
                           {impl_->global},
                           {impl_->base, std::to_string(after), std::to_string(kScanPageRows)}});
      if (!r.ok()) return r.error();
      for (size_t i = 0; i < (*r)->elements; ++i) page.push_back(redis_record((*r)->element[i]));
    }
    for (const JobRecord& rec : page) {
      if (!fn(rec)) return Status();
    }
    if (page.size() < static_cast<size_t>(kScanPageRows)) return Status();
    after = page.back().seq;
  }
}

}  // namespace sluice
